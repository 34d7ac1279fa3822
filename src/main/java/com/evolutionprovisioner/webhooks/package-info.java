/**
 * Receiving what Evolution API posts back: authenticate each delivery with the instance's own key, store it once
 * however often it comes, and answer fast (503 when it cannot be stored now, so Evolution retries).
 */
package com.evolutionprovisioner.webhooks;

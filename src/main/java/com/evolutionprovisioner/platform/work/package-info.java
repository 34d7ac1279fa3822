/**
 * The durable work pipeline's shared rules: how a failed item is retried (attempts, back-off) and how a component's
 * safety-net poller is started. Provisioning and webhook application each use them with their own settings.
 */
package com.evolutionprovisioner.platform.work;

/** Delivery authentication, idempotent storage, event application and its dispatching and metrics. */
package com.evolutionprovisioner.webhooks.control;

/** The webhook receiver, the listener applying stored events, the poller of unapplied events and the dead-letter actions. */
package com.evolutionprovisioner.webhooks.boundary;

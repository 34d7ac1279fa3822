/**
 * The webhook receiver, the listener applying stored events, the poller of unapplied events, and the operator's
 * actions on stored events (dead letters, replay, purge; admin endpoints and JMX) and Evolution's clock offsets in the
 * admin stats.
 */
package com.evolutionprovisioner.webhooks.boundary;

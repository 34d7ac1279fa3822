/** The provisioning and deprovisioning steps, the erasure of a deleted user's data, the queue and its atomic transitions, dispatching, node heartbeats and metrics. */
package com.evolutionprovisioner.provisioning.control;

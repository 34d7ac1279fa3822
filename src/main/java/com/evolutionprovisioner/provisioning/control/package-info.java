/** The provisioning steps, the queue and its atomic transitions, dispatching, node heartbeats and metrics. */
package com.evolutionprovisioner.provisioning.control;

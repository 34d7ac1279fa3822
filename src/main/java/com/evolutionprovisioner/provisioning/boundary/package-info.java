/** What starts provisioning work: the message-driven bean (fast path), the queue poller (safety net), the instances endpoint, the service role's deletion of users, and the operator actions on the queue and on stored instance secrets. */
package com.evolutionprovisioner.provisioning.boundary;

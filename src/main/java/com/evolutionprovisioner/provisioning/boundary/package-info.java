/**
 * What starts provisioning work: the message-driven bean (fast path), the queue poller (safety net), the instances
 * endpoint, the service role's deletion of users, and the operator's view of and actions on the queue, the instances
 * and their stored secrets (admin endpoints, JMX, the queue's health check, gauges and part of the admin stats).
 */
package com.evolutionprovisioner.provisioning.boundary;

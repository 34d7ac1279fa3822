/**
 * Turning a queued signup into a working Evolution instance: the queue and its atomic claim, the fast path (JMS
 * message-driven bean), the safety net (EJB timer), and the provisioning steps themselves.
 */
package com.evolutionprovisioner.provisioning;

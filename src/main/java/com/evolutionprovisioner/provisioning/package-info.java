/**
 * Turning a queued signup into a working Evolution instance: the queue and its atomic claim, the fast path (JMS
 * message-driven bean), the safety net (EJB timer), and the provisioning steps themselves. The same queue row and
 * workers also delete a user (deprovisioning): their instance at Evolution, then their data.
 */
package com.evolutionprovisioner.provisioning;

/** Storing profiles idempotently; the database trigger enqueues provisioning in the same transaction. */
package com.evolutionprovisioner.profiles.control;

/**
 * Signing up: a user's profile. Storing a profile is what starts provisioning — the database trigger
 * enqueues it, and the signup nudges the provisioning queue once its transaction has committed.
 */
package com.evolutionprovisioner.profiles;

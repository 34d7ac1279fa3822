/**
 * Talking to Evolution API: the HTTP calls under MicroProfile Fault Tolerance, the exponential retry schedule,
 * the request bodies of every server version, and webhook configuration with its fallbacks and read-back.
 */
package com.evolutionprovisioner.evolution;

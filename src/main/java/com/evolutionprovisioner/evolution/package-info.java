/**
 * The anti-corruption layer to Evolution API: every server version's wire format stays in here, and the rest of the
 * service sees typed results (instance identity, create outcome, webhook state, connection state). Also the HTTP
 * calls under MicroProfile Fault Tolerance, the exponential retry schedule, and webhook configuration with its
 * fallbacks and read-back.
 */
package com.evolutionprovisioner.evolution;

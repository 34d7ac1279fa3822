/**
 * The anti-corruption layer to Evolution API: every server version's wire format stays in here, and the rest of the
 * service sees typed results (instance identity, create outcome, webhook state, connection state). Also the pool of
 * Evolution servers (which instance lives where, capacity-aware placement), the HTTP calls under each server's own
 * bulkhead and circuit breaker, the exponential retry schedule, and webhook configuration with its fallbacks and
 * read-back.
 */
package com.evolutionprovisioner.evolution;

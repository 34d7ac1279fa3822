/**
 * What every component stands on: the server resources the application declares (database, JMS),
 * the schema migration run at start-up, and the JSON error answers of the REST API. Subpackages: {@code work} (the
 * durable work pipeline's rules) and {@code health} (the readiness machinery every component's checks use, and the
 * service role's readiness report and stats, which each component fills in).
 */
package com.evolutionprovisioner.platform;

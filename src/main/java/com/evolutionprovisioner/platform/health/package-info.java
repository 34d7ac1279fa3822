/**
 * Health shared by every component: the cached readiness check each component's own checks extend, the checks of the
 * resources the platform declares (database, broker), liveness, and the service role's readiness report and stats,
 * which collect every component's checks and {@link com.evolutionprovisioner.platform.health.StatsSection}s through
 * CDI without depending on any component. A subpackage because its endpoints need {@code security}, which the rest
 * of {@code platform} does not.
 */
package com.evolutionprovisioner.platform.health;

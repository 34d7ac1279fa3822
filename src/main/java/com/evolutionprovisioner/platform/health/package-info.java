/**
 * Health shared by every component: the cached readiness check each component's own checks extend, the checks of the
 * resources the platform declares (database, broker), liveness, and the service role's detailed readiness report.
 */
package com.evolutionprovisioner.platform.health;

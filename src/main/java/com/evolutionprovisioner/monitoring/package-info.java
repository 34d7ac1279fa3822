/** What operators watch: health checks, metrics, the queue MXBean and the administration endpoints. */
package com.evolutionprovisioner.monitoring;

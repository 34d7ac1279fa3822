/**
 * Only the Evolution API reachability check is left here, until Evolution's own per-server health (in
 * {@code evolution}) replaces it. Health, gauges, JMX and admin endpoints live in the component they observe;
 * the shared health machinery is in {@code platform.health}.
 */
package com.evolutionprovisioner.monitoring;

/** The pool of Evolution servers as operators see it: admin API, JMX, readiness, and the seeding at start. */
package com.evolutionprovisioner.evolution.boundary;

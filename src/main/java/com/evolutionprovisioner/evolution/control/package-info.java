/** Calls to Evolution API under fault tolerance, the retry schedule and webhook configuration with read-back. */
package com.evolutionprovisioner.evolution.control;

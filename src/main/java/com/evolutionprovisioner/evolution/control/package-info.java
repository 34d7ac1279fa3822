/**
 * The pool of Evolution servers and placement; calls to Evolution under per-server fault tolerance, the retry
 * schedule, server versions, and webhook configuration with read-back.
 */
package com.evolutionprovisioner.evolution.control;

/**
 * What the rest of the service knows of Evolution: instance names and identities, create outcomes, webhook settings
 * and state, connection states and pairing answers, and failures by kind.
 */
package com.evolutionprovisioner.evolution.entity;

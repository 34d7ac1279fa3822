/** Instance names, webhook settings in every server version's body shape, Evolution answers and failures. */
package com.evolutionprovisioner.evolution.entity;

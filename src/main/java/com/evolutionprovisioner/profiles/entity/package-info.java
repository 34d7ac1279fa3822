/** The profile of a signed-up user. */
package com.evolutionprovisioner.profiles.entity;

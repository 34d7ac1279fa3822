/** The queue row, the instance record (secrets encrypted at rest) and their value types. */
package com.evolutionprovisioner.provisioning.entity;

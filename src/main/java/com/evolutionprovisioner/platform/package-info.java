/**
 * What every component stands on: the server resources the application declares (database, JMS),
 * the schema migration run at start-up, and the JSON error answers of the REST API.
 */
package com.evolutionprovisioner.platform;

/** The signup endpoint: POST /api/profiles and GET /api/profiles/me. */
package com.evolutionprovisioner.profiles.boundary;

/**
 * Who is calling: verification of Supabase-style bearer tokens (HS256 with the project secret, or RS256/ES256
 * against a JWKS), the caller's identity and role, and the rules "users see only their own data" and
 * "administration is for the service role"; and the encryption of stored secrets under SECRETS_KEY, and its
 * rotation.
 */
package com.evolutionprovisioner.security;

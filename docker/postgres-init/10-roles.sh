#!/bin/sh
# Run by the postgres image on the first start of an empty volume only (it runs /docker-entrypoint-initdb.d/*, as the
# superuser). Creates the roles of docs/database-security.md and the service's database, owned by the migration role.
set -eu
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres \
     --set owner="$DB_MIGRATION_USER" --set owner_password="$DB_MIGRATION_PASSWORD" \
     --set app="$DB_USER" --set app_password="$DB_PASSWORD" --set database="$DB_NAME" <<'SQL'
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password';
CREATE ROLE evolution_provisioner_app NOLOGIN;
CREATE ROLE :"app" LOGIN PASSWORD :'app_password' IN ROLE evolution_provisioner_app;
CREATE DATABASE :"database" OWNER :"owner";
SQL

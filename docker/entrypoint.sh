#!/bin/sh
# Starts Evolution Provisioner on Payara Micro inside the container (docker/Dockerfile).
#
# Artemis' resource adapter takes host and port parameters, not a URL, so ARTEMIS_URL (tcp://host:port) is turned
# into ARTEMIS_CONNECTION_PARAMETERS (host=H;port=P), passed on as the system property artemis.connection.parameters
# (see below). An ARTEMIS_CONNECTION_PARAMETERS already set wins. Query parameters of the URL are not carried over.
#
# Extra arguments are passed to Payara Micro; JVM_ARGS adds JVM options (e.g. the JMX flags of
# server-config/payara-micro/README.md).
set -eu

fail() {
    echo "entrypoint: $*" >&2
    exit 64
}

# --- ARTEMIS_URL -> ARTEMIS_CONNECTION_PARAMETERS -------------------------------------------------------------------
connection_parameters() {
    url=$1
    case "$url" in
        tcp://*) rest=${url#tcp://} ;;
        *) fail "ARTEMIS_URL must look like tcp://host:port (is '$url')" ;;
    esac
    rest=${rest%%\?*}      # drop ?query
    rest=${rest%%/*}       # drop /path
    case "$rest" in
        \[*\]:*) host=${rest%%]:*}; host=${host#\[}; port=${rest##*]:} ;;   # [ipv6]:port
        \[*\])   host=${rest#\[}; host=${host%\]}; port=61616 ;;           # [ipv6]
        *:*)     host=${rest%:*}; port=${rest##*:} ;;
        *)       host=$rest; port=61616 ;;
    esac
    [ -n "$host" ] || fail "ARTEMIS_URL has no host (is '$url')"
    case "$port" in
        ''|*[!0-9]*) fail "ARTEMIS_URL has a port that is not a number (is '$url')" ;;
    esac
    printf 'host=%s;port=%s' "$host" "$port"
}

if [ "${1:-}" = "--print-artemis-parameters" ]; then
    # For tests of this script: print what ARTEMIS_URL becomes, and exit.
    connection_parameters "${ARTEMIS_URL:-tcp://127.0.0.1:61616}"
    echo
    exit 0
fi

if [ -z "${ARTEMIS_CONNECTION_PARAMETERS:-}" ]; then
    ARTEMIS_CONNECTION_PARAMETERS=$(connection_parameters "${ARTEMIS_URL:-tcp://127.0.0.1:61616}")
fi
export ARTEMIS_CONNECTION_PARAMETERS

# --- Values the server resolves while deploying the WAR: without them the WAR does not deploy -----------------------
# The data source, JMS factory and MDB annotations say ${db.url} etc.: system properties, on Payara as on WildFly.
# They reach Payara Micro through --systemproperties rather than -D, so that passwords do not show in the process list.
missing=""
for name in DB_URL DB_USER DB_PASSWORD ARTEMIS_USER ARTEMIS_PASSWORD; do
    eval "value=\${$name:-}"
    [ -n "$value" ] || missing="$missing $name"
done
[ -z "$missing" ] || fail "required environment variable(s) not set:$missing (see docker/README.md)"
export EVOLUTION_MAX_CONCURRENCY="${EVOLUTION_MAX_CONCURRENCY:-8}"
export PROVISIONING_WORKERS="${PROVISIONING_WORKERS:-16}"
export WEBHOOK_APPLY_WORKERS="${WEBHOOK_APPLY_WORKERS:-4}"

property() {
    # Java properties format: a backslash in a value must be doubled.
    printf '%s=%s\n' "$1" "$(printf '%s' "$2" | sed 's/\\/\\\\/g')"
}
# The file is open on descriptor 3 and its name removed at once: Payara Micro reads it through /dev/fd/3 when it boots,
# and no file with the passwords is left for the application user (or anyone who can make it read a path) to find.
DEPLOY_PROPERTIES=$(mktemp)
chmod 600 "$DEPLOY_PROPERTIES"
{
    property db.url "$DB_URL"
    property db.user "$DB_USER"
    property db.password "$DB_PASSWORD"
    property artemis.user "$ARTEMIS_USER"
    property artemis.password "$ARTEMIS_PASSWORD"
    property artemis.connection.parameters "$ARTEMIS_CONNECTION_PARAMETERS"
    property evolution.max.concurrency "$EVOLUTION_MAX_CONCURRENCY"
    property provisioning.workers "$PROVISIONING_WORKERS"
    property webhook.apply.workers "$WEBHOOK_APPLY_WORKERS"
} > "$DEPLOY_PROPERTIES"
exec 3< "$DEPLOY_PROPERTIES"
rm -f "$DEPLOY_PROPERTIES"

if [ "${1:-}" = "--print-deploy-properties" ]; then
    # For tests of this script: print what Payara Micro would read, and exit.
    cat /dev/fd/3
    exit 0
fi

# --- Production must not run without its secrets --------------------------------------------------------------------
# The WAR has no default for any secret and refuses to deploy without them (or with a published development value);
# failing here says so before Java starts. JWT_SECRET may be left out only for JWKS-only tokens (JWT_HS256_ENABLED=false).
case "${JWT_HS256_ENABLED:-}" in
    false|FALSE|False|0|no|NO|off|OFF) ;;
    *) [ -n "${JWT_SECRET:-}" ] || fail "JWT_SECRET is not set (or set JWT_JWKS_URL and JWT_HS256_ENABLED=false)" ;;
esac
[ -n "${SECRETS_KEY:-}" ] || fail "SECRETS_KEY is not set: base64 of 32 random bytes (openssl rand -base64 32), kept with the database backups"
[ -n "${EVOLUTION_API_KEY:-}" ] || fail "EVOLUTION_API_KEY is not set"
case "${PUBLIC_BASE_URL:-}" in
    http://*|https://*) ;;
    *) fail "PUBLIC_BASE_URL must be the https:// address where Evolution API reaches this service (http:// only with ALLOW_INSECURE_WEBHOOK_URL=true)" ;;
esac

HOME_DIR=${HOME_DIR:-/opt/payara}
cd "$HOME_DIR"    # post-boot.asadmin deploys artemis-rar.rar by a path relative to the working directory

# JVM_ARGS, MEM_MAX_RAM_PERCENTAGE and MEM_XSS are the base image's variables; JVM_ARGS is split on spaces on purpose.
# shellcheck disable=SC2086
exec java \
    -XX:+UseContainerSupport \
    -XX:MaxRAMPercentage="${MEM_MAX_RAM_PERCENTAGE:-70.0}" \
    -Xss"${MEM_XSS:-512k}" \
    ${JVM_ARGS:-} \
    -jar payara-micro.jar \
    --nohazelcast \
    --prebootcommandfile config/pre-boot.asadmin \
    --postbootcommandfile config/post-boot.asadmin \
    --systemproperties /dev/fd/3 \
    --deploy evolution-provisioner.war \
    --contextroot / \
    --port "${HTTP_PORT:-8080}" \
    "$@"

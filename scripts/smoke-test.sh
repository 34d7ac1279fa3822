#!/usr/bin/env bash
# Evolution Provisioner — end-to-end smoke test (the seed's test-webhook-setup.sh, for this service).
#
# Signs a user up, waits for their Evolution instance to be provisioned, checks through Evolution API itself that the
# instance's webhook points at us with the five events, proves webhook deliveries are authenticated, and prints a
# health report. Needs only bash, curl and standard text tools (python3, when present, only pretty-prints).
#
# Environment:
#   BASE_URL                 the service                                   (default http://127.0.0.1:8080)
#   HEALTH_URL               where /health is served (default BASE_URL/health; WildFly: http://HOST:9990/health)
#   TOKEN                    a user JWT (required); the smoke user is the token's subject
#   SERVICE_TOKEN            a service-role JWT (optional): adds GET /api/admin/stats to the report
#   EVOLUTION_API_BASE_URL   Evolution API (or the simulator) the service provisions on (required)
#   EVOLUTION_API_KEY        Evolution's global apikey (required)
#   TIMEOUT                  seconds to wait for provisioning to complete  (default 60)
#
# Example against the dev stack (./mvnw -Pdev prints TOKEN, SERVICE_TOKEN and the simulator's URL):
#   TOKEN=... SERVICE_TOKEN=... EVOLUTION_API_BASE_URL=http://127.0.0.1:8081 EVOLUTION_API_KEY=dev-evolution-key \
#     scripts/smoke-test.sh
#
# Exit status 0 with "SMOKE TEST PASSED", or 1 at the first failed step with "SMOKE TEST FAILED: <reason>".
# A given TOKEN signs one user up once; running again with the same token re-checks that user (POST answers 200).
# Secrets never reach the command line of curl (they go through header files) nor the output.

set -euo pipefail
set -o errtrace

readonly WEBHOOK_PATH="/api/webhooks/evolution"
readonly REQUIRED_EVENTS=(QRCODE_UPDATED CONNECTION_UPDATE MESSAGES_UPSERT MESSAGES_UPDATE SEND_MESSAGE)
readonly POLL_SECONDS=2
readonly REQUEST_SECONDS=15

usage() {
    sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"
}

case "${1:-}" in
    -h | --help) usage; exit 0 ;;
    "") ;;
    *) echo "unknown argument: $1 (configuration is by environment; see --help)" >&2; exit 2 ;;
esac

BASE_URL="${BASE_URL:-http://127.0.0.1:8080}"
HEALTH_URL="${HEALTH_URL:-}"
TOKEN="${TOKEN:-}"
SERVICE_TOKEN="${SERVICE_TOKEN:-}"
EVOLUTION_API_BASE_URL="${EVOLUTION_API_BASE_URL:-}"
EVOLUTION_API_KEY="${EVOLUTION_API_KEY:-}"
TIMEOUT="${TIMEOUT:-60}"

# ---------------------------------------------------------------------------------------------------------------------
# Output

STEP=""

step() {
    STEP="$1"
    printf '\n[%s]\n' "$STEP"
}

ok() {
    printf '  ✓ %s\n' "$1"
}

info() {
    printf '    %s\n' "$1"
}

fail() {
    printf '  ✗ %s\n' "$1"
    printf '\nSMOKE TEST FAILED: %s\n' "${STEP:+$STEP: }$1"
    exit 1
}

on_unexpected_error() {
    local status=$? line=$1
    trap - ERR
    printf '  ✗ unexpected error (status %s) at line %s of %s\n' "$status" "$line" "$0"
    printf '\nSMOKE TEST FAILED: %sunexpected error at line %s\n' "${STEP:+$STEP: }" "$line"
    exit 1
}
trap 'on_unexpected_error $LINENO' ERR

WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/smoke-test.XXXXXX")"
trap 'rm -rf "$WORK_DIR"' EXIT
chmod 700 "$WORK_DIR"

# ---------------------------------------------------------------------------------------------------------------------
# HTTP: http METHOD URL [BODY] [HEADER_FILE...] sets HTTP_STATUS ("000" when no answer), HTTP_BODY and HTTP_ERROR.

HTTP_STATUS=""
HTTP_BODY=""
HTTP_ERROR=""

http() {
    local method=$1 url=$2 body=${3:-}
    shift 3 || shift $#
    local args=(-sS -X "$method" --max-time "$REQUEST_SECONDS" -o "$WORK_DIR/body" -w '%{http_code}'
                -H 'Accept: application/json')
    local header_file
    for header_file in "$@"; do
        args+=(-H "@$header_file")
    done
    if [[ -n "$body" ]]; then
        printf '%s' "$body" > "$WORK_DIR/request"
        args+=(-H 'Content-Type: application/json' --data-binary "@$WORK_DIR/request")
    fi
    : > "$WORK_DIR/body"
    if HTTP_STATUS="$(curl "${args[@]}" "$url" 2> "$WORK_DIR/curl-error")"; then
        HTTP_ERROR=""
    else
        HTTP_STATUS="000"
        HTTP_ERROR="$(tr '\n' ' ' < "$WORK_DIR/curl-error" | sed 's/ *$//')"
    fi
    HTTP_BODY="$(cat "$WORK_DIR/body")"
}

# A header file, so that tokens and keys never appear in the process list.
header_file() {
    local file="$WORK_DIR/header-$1" name=$2 value=$3
    (umask 077 && printf '%s: %s\n' "$name" "$value" > "$file")
    printf '%s' "$file"
}

describe_failure() {
    if [[ "$HTTP_STATUS" == "000" ]]; then
        printf 'no answer (%s)' "${HTTP_ERROR:-connection failed}"
    else
        local message
        message="$(compact <<< "$HTTP_BODY" | json_string message | json_unescape)"
        printf 'HTTP %s%s' "$HTTP_STATUS" "${message:+: $message}"
    fi
}

# ---------------------------------------------------------------------------------------------------------------------
# JSON, read with sed from the service's and Evolution's compact JSON (pretty-printed JSON is compacted first).

compact() {
    tr -d '\r\n\t' | sed -E 's/"[[:space:]]+:/":/g; s/":[[:space:]]+/":/g; s/,[[:space:]]+/,/g;
                              s/([{[])[[:space:]]+/\1/g; s/[[:space:]]+([]}])/\1/g'
}

# The string value of FIELD (escapes kept as sent), or nothing. Field names are plain words: no regex quoting needed.
json_string() {
    sed -nE '/.*"'"$1"'":"(([^"\\]|\\.)*)".*/{s//\1/p;q;}'
}

# A JSON string's escapes undone well enough to be read by people.
json_unescape() {
    sed -E 's/\\"/"/g; s/\\n/ /g; s/\\t/ /g; s/\\\//\//g; s/\\\\/\\/g'
}

# The literal value of FIELD (number, true, false, null), or nothing.
json_literal() {
    sed -nE '/.*"'"$1"'":(true|false|null|-?[0-9][0-9.eE+-]*).*/{s//\1/p;q;}'
}

# The array value of FIELD, brackets included (arrays of scalars only), or nothing.
json_array() {
    sed -nE '/.*"'"$1"'":(\[[^]]*\]).*/{s//\1/p;q;}'
}

pretty() {
    if command -v python3 > /dev/null 2>&1 && python3 -m json.tool <<< "$1" > "$WORK_DIR/pretty" 2> /dev/null; then
        sed 's/^/    /' "$WORK_DIR/pretty"
    else
        printf '%s\n' "$1" | sed 's/^/    /'
    fi
}

# The MicroProfile Health checks of a /health answer, one "name status data" line each.
health_checks() {
    compact <<< "$1" | { grep -oE '\{[^{}]*("data":\{[^{}]*\}[^{}]*)?\}' || true; } | while IFS= read -r check; do
        [[ "$check" == *'"name":"'* ]] || continue
        local name status data
        name="$(json_string name <<< "$check")"
        status="$(json_string status <<< "$check")"
        data="$(sed -nE 's/.*"data":(\{[^{}]*\}).*/\1/p' <<< "$check")"
        printf '%s %s %s\n' "$name" "$status" "$data"
    done
}

# ---------------------------------------------------------------------------------------------------------------------
# 1. Configuration

step "1/7 configuration"

command -v curl > /dev/null 2>&1 || fail "curl is required but not installed"

URL_PATTERN='^https?://[^/[:space:]?#]+(/[^[:space:]?#]*)?$'
JWT_PATTERN='^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$'

[[ "$BASE_URL" =~ $URL_PATTERN ]] || fail "BASE_URL is not an http(s) URL: '$BASE_URL'"
[[ -n "$TOKEN" ]] || fail "TOKEN is not set (a user JWT; the dev stack prints one)"
[[ "$TOKEN" =~ $JWT_PATTERN ]] || fail "TOKEN does not look like a JWT (header.payload.signature)"
if [[ -n "$SERVICE_TOKEN" && ! "$SERVICE_TOKEN" =~ $JWT_PATTERN ]]; then
    fail "SERVICE_TOKEN does not look like a JWT (header.payload.signature)"
fi
[[ -n "$EVOLUTION_API_BASE_URL" ]] || fail "EVOLUTION_API_BASE_URL is not set (Evolution API, or the simulator)"
[[ "$EVOLUTION_API_BASE_URL" =~ $URL_PATTERN ]] \
    || fail "EVOLUTION_API_BASE_URL is not an http(s) URL: '$EVOLUTION_API_BASE_URL'"
[[ -n "$EVOLUTION_API_KEY" ]] || fail "EVOLUTION_API_KEY is not set (Evolution's global apikey)"
[[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || fail "TIMEOUT must be a whole number of seconds, not '$TIMEOUT'"

BASE_URL="${BASE_URL%/}"
HEALTH_URL="${HEALTH_URL:-$BASE_URL/health}"
HEALTH_URL="${HEALTH_URL%/}"
EVOLUTION_API_BASE_URL="${EVOLUTION_API_BASE_URL%/}"
USER_AUTH="$(header_file user-auth "Authorization" "Bearer $TOKEN")"
EVOLUTION_AUTH="$(header_file evolution-auth "apikey" "$EVOLUTION_API_KEY")"
SERVICE_AUTH=""
if [[ -n "$SERVICE_TOKEN" ]]; then
    SERVICE_AUTH="$(header_file service-auth "Authorization" "Bearer $SERVICE_TOKEN")"
fi

ok "BASE_URL=$BASE_URL"
ok "HEALTH_URL=$HEALTH_URL"
ok "EVOLUTION_API_BASE_URL=$EVOLUTION_API_BASE_URL"
ok "TOKEN, EVOLUTION_API_KEY set${SERVICE_TOKEN:+, SERVICE_TOKEN set}; TIMEOUT=${TIMEOUT}s"

# ---------------------------------------------------------------------------------------------------------------------
# 2. Readiness

step "2/7 service readiness"

http GET "$HEALTH_URL/ready" ""
READY_BODY="$HTTP_BODY"
[[ "$HTTP_STATUS" != "000" ]] || fail "GET $HEALTH_URL/ready: $(describe_failure)"
CHECKS="$(health_checks "$READY_BODY")"
DATABASE_STATUS="$(awk '$1 == "database" { print $2; exit }' <<< "$CHECKS")"
if [[ "$HTTP_STATUS" != "200" ]]; then
    DOWN="$(awk '$2 != "UP" { data = $0; sub(/^[^ ]+ [^ ]+ ?/, "", data)
                              printf "%s%s %s", sep, $1, data; sep = "; " }' <<< "$CHECKS")"
    fail "GET /health/ready answered $HTTP_STATUS, not 200${DOWN:+ (DOWN: $DOWN)}"
fi
[[ -n "$DATABASE_STATUS" ]] || fail "GET /health/ready has no \"database\" check (is this the Evolution Provisioner?)"
[[ "$DATABASE_STATUS" == "UP" ]] || fail "the database check is $DATABASE_STATUS"
ok "GET /health/ready → 200, database UP"
while read -r name status _; do
    if [[ -n "$name" && "$name" != "database" ]]; then
        info "$name $status"
    fi
done <<< "$CHECKS"

# ---------------------------------------------------------------------------------------------------------------------
# 3. Signup

step "3/7 signup"

EMAIL="smoke+$(date +%s)@example.com"
http POST "$BASE_URL/api/profiles" "{\"email\":\"$EMAIL\",\"fullName\":\"Smoke Test\"}" "$USER_AUTH"
case "$HTTP_STATUS" in
    201) ok "POST /api/profiles → 201 (new profile $EMAIL)" ;;
    200) ok "POST /api/profiles → 200 (this token's user already had a profile: checking that user)" ;;
    401) fail "POST /api/profiles: TOKEN rejected ($(describe_failure))" ;;
    *) fail "POST /api/profiles: $(describe_failure)" ;;
esac
USER_ID="$(compact <<< "$HTTP_BODY" | json_string id)"
if [[ -n "$USER_ID" ]]; then
    info "user id $USER_ID"
fi

# ---------------------------------------------------------------------------------------------------------------------
# 4. Provisioning

step "4/7 provisioning"

DEADLINE=$((SECONDS + TIMEOUT))
LAST_SEEN=""
STATUS=""
while :; do
    http GET "$BASE_URL/api/instances/me" "" "$USER_AUTH"
    ME="$(compact <<< "$HTTP_BODY")"
    if [[ "$HTTP_STATUS" == "200" ]]; then
        STATUS="$(json_string status <<< "$ME")"
        ATTEMPTS="$(json_literal attempts <<< "$ME")/$(json_literal maxAttempts <<< "$ME")"
        SEEN="$STATUS (attempt $ATTEMPTS)"
        if [[ "$SEEN" != "$LAST_SEEN" ]]; then
            ERROR_CODE="$(json_string errorCode <<< "$ME")"
            info "status $SEEN after $((SECONDS - DEADLINE + TIMEOUT)) s${ERROR_CODE:+ (errorCode: $ERROR_CODE)}"
            LAST_SEEN="$SEEN"
        fi
        case "$STATUS" in
            completed) break ;;
            failed) fail "provisioning failed after $ATTEMPTS attempts: $(json_string errorCode <<< "$ME") (the detail: GET /api/instances/<userId> with SERVICE_TOKEN, or docs/troubleshooting.md)" ;;
            *) ;;
        esac
    elif [[ "$HTTP_STATUS" == "401" ]]; then
        fail "GET /api/instances/me: TOKEN rejected ($(describe_failure))"
    else
        SEEN="$(describe_failure)"
        if [[ "$SEEN" != "$LAST_SEEN" ]]; then
            info "GET /api/instances/me: $SEEN"
            LAST_SEEN="$SEEN"
        fi
    fi
    if ((SECONDS >= DEADLINE)); then
        ERROR_CODE="$(json_string errorCode <<< "$ME")"
        fail "not completed within ${TIMEOUT}s (last: ${LAST_SEEN:-no answer}${ERROR_CODE:+; errorCode: $ERROR_CODE})"
    fi
    sleep "$POLL_SECONDS"
done

INSTANCE_NAME="$(json_string instanceName <<< "$ME")"
[[ -n "$INSTANCE_NAME" ]] || fail "status is completed but /api/instances/me has no instanceName"
[[ "$INSTANCE_NAME" =~ ^[A-Za-z0-9._-]+$ ]] || fail "unexpected instance name '$INSTANCE_NAME'"
WEBHOOK_CONFIGURED="$(json_literal webhookConfigured <<< "$ME")"
[[ "$WEBHOOK_CONFIGURED" == "true" ]] || fail "status is completed but webhookConfigured is ${WEBHOOK_CONFIGURED:-absent}"
ok "completed in $((SECONDS - DEADLINE + TIMEOUT)) s: instance $INSTANCE_NAME, webhook configured"
WEBHOOK_METHOD="$(json_string webhookMethod <<< "$ME")"
if [[ -n "$WEBHOOK_METHOD" ]]; then
    info "webhook configured with method $WEBHOOK_METHOD"
fi

# ---------------------------------------------------------------------------------------------------------------------
# 5. The webhook as Evolution has it

step "5/7 webhook in Evolution API"

http GET "$EVOLUTION_API_BASE_URL/webhook/find/$INSTANCE_NAME" "" "$EVOLUTION_AUTH"
case "$HTTP_STATUS" in
    200) ;;
    401 | 403) fail "GET /webhook/find/$INSTANCE_NAME: EVOLUTION_API_KEY rejected ($HTTP_STATUS)" ;;
    404) fail "GET /webhook/find/$INSTANCE_NAME: Evolution does not know the instance (404)" ;;
    *) fail "GET /webhook/find/$INSTANCE_NAME: $(describe_failure)" ;;
esac
WEBHOOK="$(compact <<< "$HTTP_BODY")"
[[ -n "$WEBHOOK" && "$WEBHOOK" != "null" ]] \
    || fail "Evolution has no webhook for $INSTANCE_NAME (find answered null: configuration wiped?)"
WEBHOOK_ENABLED="$(json_literal enabled <<< "$WEBHOOK")"
[[ "$WEBHOOK_ENABLED" == "true" ]] || fail "the webhook of $INSTANCE_NAME is not enabled (enabled: ${WEBHOOK_ENABLED:-absent})"
WEBHOOK_URL="$(json_string url <<< "$WEBHOOK" | json_unescape)"
[[ "$WEBHOOK_URL" == *"$WEBHOOK_PATH" ]] \
    || fail "the webhook url '$WEBHOOK_URL' does not end with $WEBHOOK_PATH"
EVENTS="$(json_array events <<< "$WEBHOOK")"
MISSING=()
for event in "${REQUIRED_EVENTS[@]}"; do
    [[ "$EVENTS" == *"\"$event\""* ]] || MISSING+=("$event")
done
((${#MISSING[@]} == 0)) || fail "the webhook of $INSTANCE_NAME lacks events: ${MISSING[*]} (has ${EVENTS:-none})"
ok "enabled, url $WEBHOOK_URL"
ok "events ${REQUIRED_EVENTS[*]}"

# ---------------------------------------------------------------------------------------------------------------------
# 6. A webhook delivery

step "6/7 webhook delivery"

EVENT_DATA="{\"instance\":\"$INSTANCE_NAME\",\"state\":\"open\",\"statusReason\":200}"
http GET "$EVOLUTION_API_BASE_URL/__admin/health" ""
ADMIN_HEALTH="$(compact <<< "$HTTP_BODY")"
if [[ "$HTTP_STATUS" == "200" && "$ADMIN_HEALTH" == *'"status":"ok"'* ]]; then
    info "EVOLUTION_API_BASE_URL is the simulator: asking it to deliver a signed connection.update"
    http POST "$EVOLUTION_API_BASE_URL/__admin/deliver" \
        "{\"instance\":\"$INSTANCE_NAME\",\"event\":\"connection.update\",\"data\":$EVENT_DATA}"
    DELIVERY="$(compact <<< "$HTTP_BODY")"
    if [[ "$HTTP_STATUS" != "200" ]]; then
        fail "the simulator could not deliver: HTTP $HTTP_STATUS $(json_string error <<< "$DELIVERY" | json_unescape)"
    fi
    RECEIVER_STATUS="$(json_literal status <<< "$DELIVERY")"
    RECEIVER_BODY="$(json_string body <<< "$DELIVERY" | json_unescape)"
    [[ "$RECEIVER_STATUS" == "200" ]] \
        || fail "our receiver answered the signed delivery with ${RECEIVER_STATUS:-nothing}: $RECEIVER_BODY"
    ok "signed connection.update delivered: receiver answered 200 $RECEIVER_BODY"

    CONNECTION_STATE=""
    for _ in 1 2 3 4 5; do
        http GET "$BASE_URL/api/instances/me" "" "$USER_AUTH"
        CONNECTION_STATE="$(compact <<< "$HTTP_BODY" | json_string connectionState)"
        [[ "$CONNECTION_STATE" == "open" ]] && break
        sleep 1
    done
    if [[ "$CONNECTION_STATE" == "open" ]]; then
        ok "/api/instances/me shows connectionState open"
    else
        info "/api/instances/me shows connectionState ${CONNECTION_STATE:-(none)} after the delivery"
        info "(not a failure: the receiver accepted the event; applying connection states may not exist yet)"
    fi
else
    info "EVOLUTION_API_BASE_URL is not the simulator: sending an unsigned event, which must be refused"
fi

http POST "$BASE_URL$WEBHOOK_PATH" \
    "{\"event\":\"connection.update\",\"instance\":\"$INSTANCE_NAME\",\"data\":$EVENT_DATA}"
[[ "$HTTP_STATUS" == "401" ]] \
    || fail "an unsigned delivery to $WEBHOOK_PATH answered $(describe_failure), not 401: deliveries are not authenticated"
ok "unsigned delivery to $WEBHOOK_PATH refused with 401"

# ---------------------------------------------------------------------------------------------------------------------
# 7. Health report

step "7/7 health report"

http GET "$HEALTH_URL/ready" ""
[[ "$HTTP_STATUS" != "000" ]] || fail "GET /health/ready: $(describe_failure)"
ok "GET /health/ready → $HTTP_STATUS"
pretty "$HTTP_BODY"

if [[ -n "$SERVICE_AUTH" ]]; then
    http GET "$BASE_URL/api/admin/stats" "" "$SERVICE_AUTH"
    [[ "$HTTP_STATUS" == "200" ]] || fail "GET /api/admin/stats: $(describe_failure) (is SERVICE_TOKEN a service-role token?)"
    ok "GET /api/admin/stats → 200"
    pretty "$HTTP_BODY"
else
    info "SERVICE_TOKEN not set: skipping GET /api/admin/stats"
fi

STEP=""
printf '\nSMOKE TEST PASSED\n'

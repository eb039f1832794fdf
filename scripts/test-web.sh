#!/usr/bin/env bash
# The browser tests: an isolated copy of the local stack (its own database, tables, bus and
# queue, on its own port), Debian's Chromium driven by playwright-core through node's test runner;
# then, against the same stack, the deploy's smoke test and the API contract (schemathesis).
# Called by scripts/test.sh with MariaDB and the emulator already up.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# Debian's Chromium; on machines that already have Google Chrome (GitHub's runners), that.
if [ -z "${CHROMIUM:-}" ]; then
  if [ -x /usr/bin/chromium ]; then CHROMIUM=/usr/bin/chromium
  elif command -v google-chrome >/dev/null; then CHROMIUM=$(command -v google-chrome)
  else apt_install chromium; CHROMIUM=/usr/bin/chromium; fi
fi
export CHROMIUM
command -v npm >/dev/null || apt_install nodejs npm
if [ ! -d node_modules/playwright-core ] || ! cmp -s package-lock.json node_modules/.package-lock.json; then
  log "installing npm packages (package-lock.json)"
  npm ci --no-audit --no-fund --silent
fi

run_id="w$(date +%s)$$"
WEB_PORT="${WEB_TEST_PORT:-3199}"
export DEV_ADDR="127.0.0.1:$WEB_PORT"
export SITE_URL="http://$DEV_ADDR"
export DATABASE_URL="mysql://$DB_USER:$DB_PASSWORD@$DB_HOST:$DB_PORT/tb_test_$run_id"
for var in SESSIONS_TABLE LOGIN_ATTEMPTS_TABLE TASK_LOG_TABLE NOTIFICATIONS_TABLE RATE_LIMITS_TABLE OUTGOING_MAIL_TABLE; do
  name=$(echo "$var" | tr 'A-Z' 'a-z'); export "$var=$run_id-${name%_table}"
done
export EVENT_BUS_NAME="$run_id-bus" LOCAL_NOTIFIER_QUEUE="$run_id-notifier"
export SENDER_ADDRESS="notifications@taskboard.test" RUST_LOG="${RUST_LOG:-warn}"
# The browser tests sign people up and verify them from the dev mailbox, as locally.
export SIGNUP_POLICY=open
# The API contract run (scripts/schemathesis.sh, last below) sends thousands of requests from one
# client address and one account within minutes: made-up sign-ins (after 50 failures from one
# client its own re-sign-in would be refused), task writes and invitations as fast as it can, and
# sign-ins, sign-ups and resets to the few addresses a generator repeats. At the deployed caps most
# of them would be 429s, the logic behind them untested. The browser tests stay far below every
# cap; the caps themselves are tested by cargo test.
export LOGIN_MAX_FAILURES_PER_CLIENT=1000000 LOGIN_MAX_FAILURES_PER_ACCOUNT=1000000 \
  TASK_WRITES_PER_MINUTE=1000000 INVITATIONS_PER_PROJECT_PER_HOUR=1000000 \
  ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR=1000000

cargo build --quiet --bin taskboard
log "starting an isolated stack for the browser tests on $SITE_URL"
"$TARGET_DIR/debug/taskboard" dev >"$STATE_DIR/web-test-server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  # The run's own database and emulator tables go with it, like every Rust test's.
  db_user -e "DROP DATABASE IF EXISTS \`tb_test_$run_id\`" || true
  delete_tables_with_prefix "$run_id-" || true
}
trap cleanup EXIT
wait_for "the test stack (see .dev/web-test-server.log)" 120 curl -fsS "$SITE_URL/"

log "browser tests (screenshots go to test-results/screenshots/)"
BASE_URL="$SITE_URL" npm run --silent test:web

log "the deploy's smoke test (scripts/smoke.sh), against this stack"
smoke_email="smoke-$run_id@example.com"
smoke_password="smoke test passphrase $run_id"
echo "$smoke_password" | "$TARGET_DIR/debug/taskboard" create-user --email "$smoke_email" --name Smoke >/dev/null
SMOKE_EMAIL="$smoke_email" SMOKE_PASSWORD="$smoke_password" scripts/smoke.sh "$SITE_URL"
# And it fails when an answer is wrong (here, the sign-in).
if SMOKE_EMAIL="$smoke_email" SMOKE_PASSWORD="wrong $smoke_password" scripts/smoke.sh "$SITE_URL" >/dev/null; then
  die "scripts/smoke.sh passed with a wrong password"
fi

log "the API contract (scripts/schemathesis.sh), against this stack"
scripts/schemathesis.sh

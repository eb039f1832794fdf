#!/usr/bin/env bash
# `make dev`: the whole system locally, in the foreground. Ctrl-C stops everything it started.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/local.env"
cd "$ROOT"

PIDFILE="$STATE_DIR/dev.pid"
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  die "Taskboard is already running (pid $(cat "$PIDFILE")): open $SITE_URL, or stop it with Ctrl-C in its terminal"
fi
if (exec 3<>"/dev/tcp/${DEV_ADDR%:*}/${DEV_ADDR##*:}") 2>/dev/null; then
  die "$DEV_ADDR is already in use by another program; set DEV_PORT to use another port"
fi
echo $$ >"$PIDFILE"
cleanup() { stop_started; rm -f "$PIDFILE"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_rust
apt_install curl
ensure_venv
ensure_mariadb
ensure_moto

log "building the dev server"
cargo build --quiet --bin taskboard
log "starting Taskboard on $SITE_URL"
target/debug/taskboard dev &
STARTED_PIDS+=("$!")
wait "$!"

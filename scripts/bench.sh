#!/usr/bin/env bash
# `make bench`: build the release binaries, start MariaDB and the emulator, and measure every
# budget in DESIGN.md. Prints one table; writes bench-results/results.{json,md} (not committed).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
trap stop_started EXIT

ensure_rust
apt_install curl wrk
ensure_venv
ensure_mariadb
ensure_moto
export TEST_DATABASE_URL="mysql://$DB_USER:$DB_PASSWORD@$DB_HOST:$DB_PORT"

log "release builds (cargo lambda)"
build_release
log "measuring (about 3 minutes)"
target/lambda/taskboard-bench/bootstrap

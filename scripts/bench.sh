#!/usr/bin/env bash
# `make bench`: build the release binaries, start MariaDB and the emulator, and measure every
# budget in docs/decisions.md#budgets. Prints one table; writes bench-results/results.{json,md} (not committed).
set -euo pipefail
# An emulator of its own, so what `make dev` left in the shared one does not skew the AWS timings.
export MOTO_PORT="${BENCH_MOTO_PORT:-4578}"
unset AWS_ENDPOINT_URL
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

#!/usr/bin/env bash
# `make soak`: a thousand task changes by six people while faults are injected at every step of
# the path (AWS calls, database connections, killed relay passes and notifier invocations), then
# every change and every e-mail reconciled; prints one table and fails on anything lost or doubled
# beyond the known window (docs/operations.md). `make test` runs a smaller one.
#   make soak                                  # the default run (seed 14)
#   make soak ARGS="--seed 7 --changes 3000"   # another seed, a longer run
set -euo pipefail
# An emulator of its own: the soak's mailbox read serialises the emulator's whole state.
export MOTO_PORT="${SOAK_MOTO_PORT:-4579}"
unset AWS_ENDPOINT_URL
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
trap stop_started EXIT

ensure_rust
ensure_venv
ensure_mariadb
ensure_moto
export TEST_DATABASE_URL="mysql://$DB_USER:$DB_PASSWORD@$DB_HOST:$DB_PORT"
RUST_LOG="${RUST_LOG:-error}" cargo run --quiet --locked -p taskboard-soak -- "$@"

#!/usr/bin/env bash
# `make test`: install what is missing, start MariaDB and the AWS emulator, run every check.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
trap stop_started EXIT

ensure_rust
apt_install curl
ensure_venv
ensure_mariadb
ensure_moto

export TEST_DATABASE_URL="mysql://$DB_USER:$DB_PASSWORD@$DB_HOST:$DB_PORT"

# Databases left by earlier runs (each test makes its own): drop them before starting.
stale=$(db_user -N -e "SHOW DATABASES LIKE 'tb\\_test\\_%'" || true)
for db in $stale; do db_user -e "DROP DATABASE \`$db\`"; done

log "cargo fmt --check"
cargo fmt --all --check
log "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
log "cargo test"
cargo test --workspace --locked
log "browser tests"
scripts/test-web.sh
log "infrastructure, workflows and release builds"
scripts/check-infra.sh

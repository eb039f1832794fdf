#!/usr/bin/env bash
# `make test`: install what is missing, start MariaDB and the AWS emulator, run every check.
set -euo pipefail
# The tests get an emulator of their own: state a `make dev` or `make bench` left in the shared one
# would be serialised on every mailbox read (moto has no narrower way to read sent mail).
export MOTO_PORT="${TEST_MOTO_PORT:-4577}"
unset AWS_ENDPOINT_URL
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
log "layout rules"
python3 scripts/check_structure.py
# The functions outside the VPC build on the light crates only: no SQL driver, no HTTP framework.
for light in taskboard-log-notifier taskboard-publisher; do
  if cargo tree -p "$light" -e normal --locked | grep -E '(^| )(sqlx|axum) v'; then
    die "$light depends on sqlx or axum (see cargo tree -p $light -e normal)"
  fi
done
log "cargo test"
cargo test --workspace --locked
log "browser tests, the smoke test and the API contract"
scripts/test-web.sh
log "infrastructure, workflows and release builds"
scripts/check-infra.sh

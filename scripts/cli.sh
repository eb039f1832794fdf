#!/usr/bin/env bash
# Run the `taskboard` command against the local stack's configuration (e.g. `make create-user`).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/local.env"
cd "$ROOT"
ensure_rust
ensure_mariadb
cargo build --quiet --bin taskboard
exec target/debug/taskboard "$@"

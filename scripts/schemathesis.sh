#!/usr/bin/env bash
# The API contract, tested: schemathesis generates requests from the OpenAPI document a running
# stack serves (docs/openapi.json) and holds every answer to it. Every operation, every phase
# (examples, coverage, fuzzing, stateful) and every check, signed in as an administrator made here
# for the run. The hooks (sign-in, re-sign-in, what a generator cannot know) are in
# scripts/schemathesis/hooks.py; the settings, and the reason for each, in schemathesis.toml
# beside them. Exits non-zero on any failure.
#
# Called by scripts/test-web.sh against its isolated stack, with that stack's environment (SITE_URL,
# DATABASE_URL, ...) exported. SCHEMATHESIS_SEED (default 14) and SCHEMATHESIS_MAX_EXAMPLES
# (generated cases per operation in the fuzzing phase, default 30) change the run; arguments are
# passed on to `schemathesis run` (e.g. `--report ndjson`). A failure prints the curl command that
# reproduces it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
: "${SITE_URL:?the stack to test, e.g. http://127.0.0.1:3199}"
ensure_venv

seed="${SCHEMATHESIS_SEED:-14}"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-30}"
# The run's own administrator: an address and a password of its own on every run.
run="schemathesis-$(date +%s)-$$"
export SCHEMATHESIS_URL="$SITE_URL"
export SCHEMATHESIS_EMAIL="$run@example.com"
export SCHEMATHESIS_PASSWORD="passphrase of $run"
echo "$SCHEMATHESIS_PASSWORD" | "$TARGET_DIR/debug/taskboard" create-user \
  --email "$SCHEMATHESIS_EMAIL" --name Schemathesis --admin >/dev/null
export SCHEMATHESIS_HOOKS="$ROOT/scripts/schemathesis/hooks.py"

log "schemathesis against $SITE_URL (seed $seed, $max_examples cases per operation)"
"$VENV/bin/schemathesis" --config-file scripts/schemathesis/schemathesis.toml run \
  "$SITE_URL/api/openapi.json" --seed "$seed" --max-examples "$max_examples" --no-color "$@"

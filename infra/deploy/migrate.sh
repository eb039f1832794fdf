#!/usr/bin/env bash
# Invoke a stack's migrate function and act on its answer (the deploy workflow's two migration
# steps: before the new code, and after the stack update).
#
#   infra/deploy/migrate.sh STACK_NAME
#
# - It fails the deploy when the function fails (nothing later runs).
# - On the first deploy the migration user does not exist yet (`database_users_missing`): the
#   master user's password, which RDS keeps and rotates in Secrets Manager, is read here, masked in
#   the log, and sent to the function once in the invocation's payload; it creates the two
#   IAM-authenticated users and migrates (functions/tasks-api/src/bin/migrate.rs). The payload
#   file is made private in the runner's temporary directory and deleted at once, or on exit.
# - A first administrator's invitation SES would not send is a warning, not a failure.
set -euo pipefail
stack=$1
output() {
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
answer() { python3 -c 'import json, sys; print(json.load(open("migrate.json")).get(sys.argv[1]) or "")' "$1"; }

fn=$(output MigrateFunctionName)
if [ -z "$fn" ] || [ "$fn" = "None" ]; then
  echo "::error::$stack has no MigrateFunctionName output"
  exit 1
fi

invoke() {
  aws lambda invoke --function-name "$fn" --cli-read-timeout 320 "$@" migrate.json > invoke.json
  if grep -q FunctionError invoke.json; then
    echo "::error::the migrate function failed; see its answer below and its log group"
    cat migrate.json
    exit 1
  fi
  cat migrate.json
  echo
}

invoke
if [ "$(answer database_users_missing)" = "True" ]; then
  echo "The database users do not exist yet (first deploy): creating them as the master user."
  secret=$(output DatabaseMasterSecretArn)
  umask 077
  payload=$(mktemp "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/bootstrap.XXXXXX")
  trap 'rm -f "$payload"' EXIT
  aws secretsmanager get-secret-value --secret-id "$secret" --query SecretString --output text |
    python3 -c '
import json, sys
master = json.load(sys.stdin)
print("::add-mask::" + master["password"], file=sys.stderr)
json.dump({"bootstrap": {"user": master["username"], "password": master["password"]}}, open(sys.argv[1], "w"))
' "$payload"
  invoke --payload "fileb://$payload"
  rm -f "$payload"
  if [ "$(answer database_users_created)" != "True" ]; then
    echo "::error::the database users were not created"
    exit 1
  fi
fi
error=$(answer first_admin_error)
if [ -n "$error" ]; then
  echo "::warning::the first administrator's invitation was not sent ($error); verify the sender (and, in the SES sandbox, the recipient) and run the deploy again"
fi

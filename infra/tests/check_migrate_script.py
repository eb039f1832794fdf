"""infra/deploy/migrate.sh against a fake `aws` CLI: the three answers the migrate function gives.

    python infra/tests/check_migrate_script.py

1. A first deploy: the function says the database users are missing; the script reads the master
   secret, masks it, sends it once in the payload, and the password appears nowhere in the output
   except inside the ::add-mask:: command, and no payload file is left behind.
2. The function fails: the script fails.
3. An invitation SES would not send: a warning, and success.
"""

import json
import os
import pathlib
import stat
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
PASSWORD = "Sup3r-secret-master-password-0123456789"

FAKE_AWS = r'''#!/usr/bin/env python3
import json, os, pathlib, sys
state = pathlib.Path(os.environ["FAKE_STATE"])
log = state / "calls.jsonl"
args = sys.argv[1:]
with log.open("a") as f:
    f.write(json.dumps(args) + "\n")
scenario = os.environ["SCENARIO"]
if args[:2] == ["cloudformation", "describe-stacks"]:
    query = args[args.index("--query") + 1]
    print("taskboard-migrate" if "MigrateFunctionName" in query else "arn:aws:secretsmanager:eu-west-1:1:secret:rds!db-1")
elif args[:2] == ["secretsmanager", "get-secret-value"]:
    print(json.dumps({"username": "taskboard", "password": os.environ["MASTER_PASSWORD"]}))
elif args[:2] == ["lambda", "invoke"]:
    out = args[-1]
    payload = None
    if "--payload" in args:
        path = args[args.index("--payload") + 1].removeprefix("fileb://")
        payload = json.loads(pathlib.Path(path).read_text())
        (state / "payload.json").write_text(json.dumps(payload))
    if scenario == "fails":
        pathlib.Path(out).write_text(json.dumps({"errorType": "MigrateError", "errorMessage": "boom"}))
        print(json.dumps({"StatusCode": 200, "FunctionError": "Unhandled"}))
        sys.exit(0)
    if scenario == "first" and payload is None:
        answer = {"database_users_missing": True, "database_users_created": False, "migrations": 0}
    elif scenario == "first":
        ok = payload == {"bootstrap": {"user": "taskboard", "password": os.environ["MASTER_PASSWORD"]}}
        answer = {"database_users_missing": False, "database_users_created": ok, "migrations": 5}
    else:
        answer = {"database_users_missing": False, "database_users_created": False, "migrations": 5,
                  "first_admin_error": "Email address is not verified" if scenario == "mail" else None}
    pathlib.Path(out).write_text(json.dumps(answer))
    print(json.dumps({"StatusCode": 200}))
else:
    sys.exit(f"unexpected aws call {args}")
'''


def run(scenario):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / "bin").mkdir()
        aws = tmp / "bin" / "aws"
        aws.write_text(FAKE_AWS)
        aws.chmod(aws.stat().st_mode | stat.S_IEXEC)
        env = dict(os.environ, PATH=f"{tmp / 'bin'}:{os.environ['PATH']}", FAKE_STATE=str(tmp),
                   SCENARIO=scenario, MASTER_PASSWORD=PASSWORD)
        work = tmp / "work"
        work.mkdir()
        (tmp / "runner-temp").mkdir()
        env["RUNNER_TEMP"] = str(tmp / "runner-temp")
        done = subprocess.run([str(ROOT / "infra/deploy/migrate.sh"), "taskboard-prod"], cwd=work, env=env,
                              capture_output=True, text=True)
        calls = [json.loads(line) for line in (tmp / "calls.jsonl").read_text().splitlines()]
        payload = (tmp / "payload.json").read_text() if (tmp / "payload.json").exists() else None
        left = sorted(p.name for p in work.iterdir()) + sorted(p.name for p in (tmp / "runner-temp").iterdir())
        return done, calls, payload, left


problems = []
done, calls, payload, left = run("first")
output = done.stdout + done.stderr
invokes = [c for c in calls if c[:2] == ["lambda", "invoke"]]
if done.returncode != 0:
    problems.append(f"first deploy: exit {done.returncode}: {output}")
if len(invokes) != 2 or payload is None or PASSWORD not in payload:
    problems.append(f"first deploy: expected a second invocation carrying the master password, got {invokes}")
if output.replace(f"::add-mask::{PASSWORD}", "").count(PASSWORD):
    problems.append("first deploy: the master password is printed outside ::add-mask::")
if f"::add-mask::{PASSWORD}" not in output:
    problems.append("first deploy: the master password is not masked")
if any(name.startswith("bootstrap") for name in left):
    problems.append("first deploy: the payload file with the password is left behind")

done, calls, _, _ = run("fails")
if done.returncode == 0 or "::error::" not in done.stdout:
    problems.append(f"a failed migration does not fail the deploy: {done.stdout}")
if any(c[:2] == ["secretsmanager", "get-secret-value"] for c in calls):
    problems.append("a failed migration reads the master secret")

done, calls, _, _ = run("mail")
if done.returncode != 0 or "::warning::" not in done.stdout:
    problems.append(f"an unsent invitation should warn and pass: {done.returncode} {done.stdout}")
if any(c[:2] == ["secretsmanager", "get-secret-value"] for c in calls):
    problems.append("a normal deploy reads the master secret")

for p in problems:
    print(f"FAIL migrate.sh: {p}")
if not problems:
    print("  ok   infra/deploy/migrate.sh: first deploy (bootstrap, masked, no file left), failure, warning")
sys.exit(1 if problems else 0)

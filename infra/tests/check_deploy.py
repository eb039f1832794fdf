"""Guard for the deploy workflow's parameters (issue 15, breaker 1), run with SAM CLI's Python.

For each stage in infra/samconfig.toml it builds the overrides as the workflow does
(infra/deploy/parameters.py), once with every optional repository variable empty and once with all
of them set, and hands them to SAM CLI's own `--parameter-overrides` parser. Each must parse, name
only parameters the template declares, and satisfy their AllowedValues and AllowedPattern. It also
shows the guard bites: the old way of building them (`DomainName=` with an empty variable) must be
refused by the same parser.

    .venv-sam/bin/python infra/tests/check_deploy.py
"""

import re
import sys
from pathlib import Path

from samcli.cli.types import CfnParameterOverridesType
from samcli.lib.config.samconfig import SamConfig
from samcli.yamlhelper import yaml_parse

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "infra" / "deploy"))
import parameters  # noqa: E402

template = yaml_parse((ROOT / "infra" / "template.yaml").read_text())
declared = template["Parameters"]
failures: list[str] = []


def sam_parse(items: list[str]) -> dict:
    return CfnParameterOverridesType().convert(tuple(items), None, None)


def check(label: str, items: list[str]) -> None:
    try:
        parsed = sam_parse(items)
    except Exception as e:  # click.BadParameter, as SAM CLI would print it
        failures.append(f"{label}: SAM CLI refuses the overrides: {e}")
        return
    for key, value in parsed.items():
        spec = declared.get(key)
        if spec is None:
            failures.append(f"{label}: {key} is not a template parameter")
            continue
        allowed = spec.get("AllowedValues")
        if allowed is not None and value not in allowed:
            failures.append(f"{label}: {key}={value!r} is not one of {allowed}")
        pattern = spec.get("AllowedPattern")
        if pattern is not None and not re.fullmatch(pattern, value):
            failures.append(f"{label}: {key}={value!r} does not match {pattern}")
    print(f"  {label}: {len(parsed)} parameters, accepted by SAM CLI's parser")


ALL_SET = {
    "SENDER_ADDRESS": "notifications@example.com",
    "DOMAIN_NAME": "tasks.example.com",
    "HOSTED_ZONE_ID": "Z0123456789ABCDEFGHIJ",
    "CERTIFICATE_ARN": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
    "WEB_ACL_ARN": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/taskboard-prod/0f1e2d3c",
    "ORIGIN_SECRET": "0123456789abcdef0123456789abcdef0123456789abcdef",
    "ORIGIN_SECRET_PREVIOUS": "fedcba9876543210fedcba9876543210fedcba9876543210",
    "ALARM_EMAIL": "ops@example.com",
    "MULTI_AZ": "true",
    "RESERVE_CONCURRENCY": "true",
    "SIGNUP_POLICY": "domains:example.com,example.org",
    "INITIAL_ADMIN_EMAIL": "founder@example.com",
}
config = SamConfig(str(ROOT / "infra"), "samconfig.toml")
stages = [s for s in ("staging", "prod") if config.get_all(["deploy"], "parameters", env=s)]
if sorted(stages) != ["prod", "staging"]:
    failures.append(f"infra/samconfig.toml: SAM CLI reads stages {stages}, expected staging and prod")
for stage in stages:
    only_required = {k: "" for k in parameters.VARIABLES} | {
        "SENDER_ADDRESS": ALL_SET["SENDER_ADDRESS"],
        "ORIGIN_SECRET": ALL_SET["ORIGIN_SECRET"],
    }
    check(f"{stage}, optional variables empty", parameters.overrides(stage, only_required))
    check(f"{stage}, every variable set", parameters.overrides(stage, ALL_SET))
    try:
        parameters.overrides(stage, {})
        failures.append(f"{stage}: no sender address or origin secret, yet parameters were built")
    except parameters.ParameterError:
        pass

    try:
        parameters.overrides(stage, only_required | {"DOMAIN_NAME": "tasks.example.com"})
        failures.append(f"{stage}: a domain without a certificate, yet parameters were built")
    except parameters.ParameterError:
        pass

# SAM CLI reads a relative --config-file from the --template-file's folder (.aws-sam/build), not
# the working directory: every use in the workflows must be absolute.
for workflow in (ROOT / ".github" / "workflows").glob("*.yml"):
    for line in workflow.read_text().splitlines():
        for path in re.findall(r"--config-file\s+(\S+)", line):
            if not path.strip('"').startswith("$PWD/"):
                failures.append(f"{workflow.name}: --config-file {path} is relative; SAM CLI would look in .aws-sam/build")

# The guard bites: the form the workflow used before is refused by the same parser.
broken = ["Stage=prod", "SenderAddress=notifications@example.com", "DomainName=", "CertificateArn="]
try:
    sam_parse(broken)
    failures.append("the broken form (DomainName= with an empty variable) was accepted: the guard tests nothing")
except Exception:
    print("  the old form (`DomainName=` with the variable empty) is refused, as on the first deploy")

if failures:
    print("\n".join(f"FAIL {f}" for f in failures))
    sys.exit(1)
print("deploy parameters: ok")

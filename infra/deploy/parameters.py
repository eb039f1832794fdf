"""The parameter overrides one deploy passes to `sam deploy`, one per line.

    python3 infra/deploy/parameters.py <stage>      # staging | prod

The stage's settings come from infra/samconfig.toml; the repository variables that are set (see
VARIABLES) are laid over them. A variable that is empty or unset is left out, so the template's
default applies: SAM CLI refuses an override with no value (`DomainName=`), which is how the
first deploy with the documented defaults used to fail. infra/tests/check_deploy.py feeds this
output to SAM CLI's own parser with every optional variable empty.
"""

import os
import re
import sys
import tomllib
from pathlib import Path

# Repository variable -> template parameter.
VARIABLES = {
    "SENDER_ADDRESS": "SenderAddress",
    "DOMAIN_NAME": "DomainName",
    "HOSTED_ZONE_ID": "HostedZoneId",
    "CERTIFICATE_ARN": "CertificateArn",
    "WEB_ACL_ARN": "WebAclArn",
    "ORIGIN_SECRET": "OriginSecret",
    "ORIGIN_SECRET_PREVIOUS": "OriginSecretPrevious",
    "ALARM_EMAIL": "AlarmEmail",
    "MULTI_AZ": "MultiAz",
    "RESERVE_CONCURRENCY": "ReserveConcurrency",
    "SIGNUP_POLICY": "SignupPolicy",
    "INITIAL_ADMIN_EMAIL": "InitialAdminEmail",
}
REQUIRED = ["Stage", "SenderAddress", "OriginSecret"]
CONFIG = Path(__file__).resolve().parents[1] / "samconfig.toml"


class ParameterError(Exception):
    pass


def overrides(stage: str, env: dict[str, str], config_path: Path = CONFIG) -> list[str]:
    with open(config_path, "rb") as f:
        config = tomllib.load(f)
    try:
        listed = config[stage]["deploy"]["parameters"]["parameter_overrides"]
    except KeyError:
        raise ParameterError(f"{config_path} has no [{stage}.deploy.parameters] parameter_overrides")
    params: dict[str, str] = {}
    for item in listed:
        key, _, value = item.partition("=")
        params[key] = value
    for variable, key in VARIABLES.items():
        value = env.get(variable, "").strip()
        if value:
            params[key] = value
    for key, value in params.items():
        # SAM CLI splits overrides on spaces and treats quotes specially; no value here needs them.
        if re.search(r"[\s\"']", value):
            raise ParameterError(f"{key}: the value may not contain spaces or quotes")
    if params.get("DomainName") and not params.get("CertificateArn"):
        raise ParameterError(
            "DomainName needs a certificate: set HOSTED_ZONE_ID (the edge stack makes one) or CERTIFICATE_ARN"
        )
    missing = [key for key in REQUIRED if not params.get(key)]
    if missing:
        names = {v: k for k, v in VARIABLES.items()}
        raise ParameterError(
            "missing " + ", ".join(f"{k} (variable {names.get(k, k)})" for k in missing)
        )
    return [f"{key}={value}" for key, value in params.items() if value]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: parameters.py <stage>")
    try:
        print("\n".join(overrides(sys.argv[1], dict(os.environ))))
    except ParameterError as e:
        sys.exit(f"deploy parameters: {e}")

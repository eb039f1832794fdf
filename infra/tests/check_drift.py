"""The infrastructure and the code cannot drift: every DynamoDB table the code defines
(crates/taskboard-core/src/tables.rs, exported by `taskboard schema`) exists in
infra/template.yaml with the same keys, indexes and TTL, is handed to the functions under the same
environment variable, and the notifier's rule has the code's event pattern.

Usage: python check_drift.py infra/template.yaml schema.json
"""
import json
import sys

from cfnlint.decode import cfn_yaml

template = cfn_yaml.load(sys.argv[1])
schema = json.load(open(sys.argv[2]))
resources = template["Resources"]
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(f"{'ok  ' if ok else 'FAIL'} {name}{'' if ok else ': ' + detail}")


def keys(schema_list):
    return {(k["AttributeName"], k["KeyType"]) for k in schema_list}


def expected_keys(pk, sk):
    out = {(pk, "HASH")}
    if sk:
        out.add((sk, "RANGE"))
    return out


tables = {logical: r for logical, r in resources.items() if r["Type"] == "AWS::DynamoDB::Table"}
by_name = {}
for logical, r in tables.items():
    name = r["Properties"].get("TableName", {})
    sub = name.get("Fn::Sub") if isinstance(name, dict) else None
    if isinstance(sub, str) and sub.startswith("${AWS::StackName}-"):
        by_name[sub.removeprefix("${AWS::StackName}-")] = logical

check("every template table is one the code uses", set(by_name) == {t["name"] for t in schema["tables"]},
      f"template {sorted(by_name)} vs code {sorted(t['name'] for t in schema['tables'])}")

functions = {l: r for l, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}
for spec in schema["tables"]:
    logical = by_name.get(spec["name"])
    if logical is None:
        check(f"table {spec['name']} exists", False, "missing from the template")
        continue
    props = tables[logical]["Properties"]
    check(f"{spec['name']}: key schema", keys(props["KeySchema"]) == expected_keys(spec["partition_key"], spec["sort_key"]),
          str(props["KeySchema"]))
    wanted_attrs = {spec["partition_key"], spec["sort_key"]} | {
        k for i in spec["indexes"] for k in (i["partition_key"], i["sort_key"])}
    wanted_attrs.discard(None)
    attrs = {(a["AttributeName"], a["AttributeType"]) for a in props["AttributeDefinitions"]}
    check(f"{spec['name']}: attribute definitions", attrs == {(a, "S") for a in wanted_attrs}, str(attrs))
    gsis = {g["IndexName"]: g for g in props.get("GlobalSecondaryIndexes", [])}
    check(f"{spec['name']}: index names", set(gsis) == {i["name"] for i in spec["indexes"]}, str(list(gsis)))
    for index in spec["indexes"]:
        g = gsis.get(index["name"])
        if g:
            check(f"{spec['name']}.{index['name']}: keys", keys(g["KeySchema"]) == expected_keys(index["partition_key"], index["sort_key"]))
            projection = g["Projection"]["ProjectionType"]
            check(f"{spec['name']}.{index['name']}: projection", projection == ("KEYS_ONLY" if index["keys_only"] else "ALL"), projection)
    ttl = props.get("TimeToLiveSpecification")
    if spec["ttl_attribute"]:
        check(f"{spec['name']}: TTL", bool(ttl) and ttl.get("AttributeName") == spec["ttl_attribute"] and ttl.get("Enabled") is True, str(ttl))
    else:
        check(f"{spec['name']}: no TTL", ttl is None, str(ttl))
    stream = props.get("StreamSpecification", {}).get("StreamViewType")
    check(f"{spec['name']}: stream", stream == ("NEW_IMAGE" if spec.get("stream") else None), str(stream))
    # Every table is backed up except the outgoing-mail queue, whose items hold account links'
    # tokens for the seconds before they are sent (docs/decisions.md §12).
    backed_up = props.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled") is True
    check(f"{spec['name']}: point-in-time recovery {'off' if spec['name'] == 'outgoing_mail' else 'on'}",
          backed_up == (spec["name"] != "outgoing_mail"))
    check(f"{spec['name']}: encryption", props.get("SSESpecification", {}).get("SSEEnabled") is True)
    users = 0
    for fn_name, fn in functions.items():
        env = fn.get("Properties", {}).get("Environment", {}).get("Variables", {})
        if spec["env_var"] in env:
            users += 1
            check(f"{fn_name}: {spec['env_var']} names {logical}", env[spec["env_var"]] == {"Ref": logical}, str(env[spec["env_var"]]))
    check(f"{spec['name']}: handed to some function as {spec['env_var']}", users > 0)

rule = functions["NotifierFunction"]["Properties"]["Events"]["TaskEvents"]["Properties"]["Pattern"]
normalise = lambda p: {k: sorted(v) for k, v in p.items()}
check("notifier rule pattern equals NOTIFY_RULE_PATTERN", normalise(rule) == normalise(schema["notify_rule_pattern"]),
      f"template {rule} vs code {schema['notify_rule_pattern']}")

ses_rule = functions["NotifierFunction"]["Properties"]["Events"]["SesReports"]["Properties"]
check("SES report rule pattern equals SES_REPORT_RULE_PATTERN", normalise(ses_rule["Pattern"]) == normalise(schema["ses_report_rule_pattern"]),
      f"template {ses_rule['Pattern']} vs code {schema['ses_report_rule_pattern']}")
check("SES report rule is on the default bus (the only one SES publishes to)", "EventBusName" not in ses_rule, str(ses_rule.get("EventBusName")))

# A delivery claim is taken over once older than CLAIM_STALE_SECS: below the notifier's timeout a
# retry could send while the first invocation is still sending (docs/decisions.md §4).
import pathlib
import re
root = pathlib.Path(sys.argv[1]).resolve().parent.parent
default_stale = int(re.search(r"pub const STALE_CLAIM_SECS: u64 = (\d+);",
                              (root / "functions/log-notifier/src/deliveries.rs").read_text()).group(1))
notifier = functions["NotifierFunction"]["Properties"]
stale = int(notifier.get("Environment", {}).get("Variables", {}).get("CLAIM_STALE_SECS", default_stale))
check("notifier claims go stale only after its timeout", stale > int(notifier["Timeout"]),
      f"CLAIM_STALE_SECS {stale} <= Timeout {notifier['Timeout']}")

failed = results.count(False)
print(f"drift: {len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)

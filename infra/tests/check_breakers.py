"""Guards for the template's first-deploy breakers (issue 15) and its small-team shape (issue 16),
over the SAM-translated template.

    python infra/tests/check_breakers.py <translated.json>

Each check names the AWS behaviour it encodes. Before checking the real template, each check is run
on a copy broken the way the template once was, and must fail there: a guard that cannot fail
proves nothing.
"""

import copy
import json
import sys


def resources(t, kind):
    return {k: r for k, r in t["Resources"].items() if r.get("Type") == kind}


def condition_holds(t, name):
    """Evaluate a condition with every parameter at its default (what a first deploy gets)."""

    def value(x):
        if isinstance(x, dict) and "Ref" in x:
            return str(t.get("Parameters", {}).get(x["Ref"], {}).get("Default", ""))
        if isinstance(x, dict) and "Condition" in x:
            return evaluate(t["Conditions"][x["Condition"]])
        return x

    def evaluate(c):
        if "Fn::Equals" in c:
            a, b = c["Fn::Equals"]
            return value(a) == value(b)
        if "Fn::Not" in c:
            return not evaluate(c["Fn::Not"][0])
        if "Fn::And" in c:
            return all(evaluate(x) if isinstance(x, dict) and "Condition" not in x else value(x) for x in c["Fn::And"])
        if "Fn::Or" in c:
            return any(evaluate(x) if isinstance(x, dict) and "Condition" not in x else value(x) for x in c["Fn::Or"])
        raise ValueError(f"unsupported condition {c}")

    return evaluate(t["Conditions"][name])


def alarm_topics_usable_by_cloudwatch(t):
    """CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed key alias/aws/sns
    (its key policy cannot be changed to admit CloudWatch); a customer key must allow
    cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*."""
    problems = []
    topics = resources(t, "AWS::SNS::Topic")
    for name, alarm in resources(t, "AWS::CloudWatch::Alarm").items():
        for action in alarm["Properties"].get("AlarmActions", []):
            topic = topics.get(action.get("Ref")) if isinstance(action, dict) else None
            if topic is None:
                continue
            key = topic["Properties"].get("KmsMasterKeyId")
            if key is None:
                continue
            if isinstance(key, str) and key.startswith("alias/aws/"):
                problems.append(f"{name}: its topic is encrypted with {key}, which CloudWatch cannot use")
                continue
            target = t["Resources"].get(key.get("Ref") if isinstance(key, dict) else key, {})
            statements = target.get("Properties", {}).get("KeyPolicy", {}).get("Statement", [])
            allowed = set()
            for s in statements:
                service = s.get("Principal", {}).get("Service")
                services = service if isinstance(service, list) else [service]
                if s.get("Effect") == "Allow" and "cloudwatch.amazonaws.com" in services:
                    actions = s.get("Action")
                    allowed.update(actions if isinstance(actions, list) else [actions])
            if not {"kms:Decrypt", "kms:GenerateDataKey*"} <= allowed:
                problems.append(f"{name}: its topic's key does not let CloudWatch encrypt")
    return sorted(set(problems))


def no_error_pages_over_the_api(t):
    """A distribution's custom error responses apply to every cache behaviour: with the API behind
    the same distribution they replace the API's problem+json answers (a 403 became the site's
    page)."""
    problems = []
    for name, d in resources(t, "AWS::CloudFront::Distribution").items():
        config = d["Properties"]["DistributionConfig"]
        s3 = {o["Id"] for o in config.get("Origins", []) if "S3OriginConfig" in o}
        api = [b for b in config.get("CacheBehaviors", []) if b.get("TargetOriginId") not in s3]
        for response in config.get("CustomErrorResponses", []) or []:
            if api:
                problems.append(
                    f"{name}: CustomErrorResponses for {response.get('ErrorCode')} would also rewrite "
                    f"{', '.join(b['PathPattern'] for b in api)}"
                )
    return problems


def no_reservation_in_a_new_account(t):
    """New accounts have a concurrency quota of 10, and Lambda keeps 10 unreserved: any
    ReservedConcurrentExecutions fails there. With default parameters none may be set."""
    problems = []
    for name, f in resources(t, "AWS::Lambda::Function").items():
        reserved = f["Properties"].get("ReservedConcurrentExecutions")
        if reserved is None:
            continue
        if isinstance(reserved, dict) and "Fn::If" in reserved:
            condition, when_true, when_false = reserved["Fn::If"]
            chosen = when_true if condition_holds(t, condition) else when_false
            if chosen == {"Ref": "AWS::NoValue"}:
                continue
        problems.append(f"{name}: ReservedConcurrentExecutions is set with the default parameters")
    return problems


def break_alarm_key(t):
    for topic in resources(t, "AWS::SNS::Topic").values():
        topic["Properties"]["KmsMasterKeyId"] = "alias/aws/sns"


def break_error_pages(t):
    for d in resources(t, "AWS::CloudFront::Distribution").values():
        d["Properties"]["DistributionConfig"]["CustomErrorResponses"] = [
            {"ErrorCode": 403, "ResponseCode": 404, "ResponsePagePath": "/index.html"}
        ]


def break_reservation(t):
    for f in resources(t, "AWS::Lambda::Function").values():
        f["Properties"]["ReservedConcurrentExecutions"] = 2
        return


def the_shape_a_real_deploy_needs(t):
    """What issue 15 asks the translated template to have: the site's alias records, the SES
    domain identity with DKIM and its records, the WAF ACL on the distribution, a canary on every
    API function, a retention on every function's log group, and the origin secret on the API
    origin. The credentials are checked by `database_sign_in_without_passwords`."""
    problems = []
    r = t["Resources"]
    kinds = {v["Type"] for v in r.values()}
    records = [v for v in resources(t, "AWS::Route53::RecordSetGroup").values()]
    alias = [x for g in records for x in g["Properties"]["RecordSets"] if "AliasTarget" in x]
    if {x["Type"] for x in alias} != {"A", "AAAA"}:
        problems.append("no A and AAAA alias records for the distribution")
    dkim = [v for v in resources(t, "AWS::SES::EmailIdentity").values() if "DkimSigningAttributes" in v["Properties"]]
    if not dkim or not any("MailFromAttributes" in v["Properties"] for v in dkim):
        problems.append("no SES domain identity with DKIM and a custom MAIL FROM")
    if not any(x["Type"] == "CNAME" for g in records for x in g["Properties"]["RecordSets"]):
        problems.append("no DKIM CNAME records")
    for name, d in resources(t, "AWS::CloudFront::Distribution").items():
        config = d["Properties"]["DistributionConfig"]
        if "WebACLId" not in config:
            problems.append(f"{name}: no WebACLId")
        api = [o for o in config["Origins"] if "CustomOriginConfig" in o]
        if not all(any(h["HeaderName"].lower() == "x-origin-verify" for h in o.get("OriginCustomHeaders", [])) for o in api):
            problems.append(f"{name}: the API origin sends no X-Origin-Verify header")
    groups = resources(t, "AWS::CodeDeploy::DeploymentGroup")
    for fn in ("LoginFunction", "TasksApiFunction"):
        if f"{fn}DeploymentGroup" not in groups:
            problems.append(f"{fn}: no DeploymentPreference (CodeDeploy deployment group)")
    log_groups = resources(t, "AWS::Logs::LogGroup")
    for name, f in resources(t, "AWS::Lambda::Function").items():
        group = f["Properties"].get("LoggingConfig", {}).get("LogGroup")
        target = log_groups.get(group.get("Ref")) if isinstance(group, dict) else None
        if target is None or "RetentionInDays" not in target["Properties"]:
            problems.append(f"{name}: its log group has no retention")
    if "AWS::WAFv2::WebACL" in kinds:
        problems.append("the web ACL belongs in infra/edge.yaml (us-east-1), not the main stack")
    return problems


def _strings(x):
    """Every string inside a template value (through Fn::Sub, Fn::Join, Fn::If, ...)."""
    if isinstance(x, str):
        yield x
    elif isinstance(x, dict):
        for v in x.values():
            yield from _strings(v)
    elif isinstance(x, list):
        for v in x:
            yield from _strings(v)


def database_sign_in_without_passwords(t):
    """Issue 15's credentials: no function's environment holds a database password or a Secrets
    Manager reference; the runtime functions sign in as taskboard_app and only the migrate
    function as taskboard_migrate, both with IAM tokens (DATABASE_AUTH=iam) over verified TLS with
    the RDS certificate bundle; the database and the proxy accept IAM; the IAM policies let each
    role sign in as its own user only; no Secrets Manager endpoint is needed in the VPC.
    Dynamic references are re-resolved only when the property itself changes, so a password put
    in an environment could never be rotated."""
    problems = []
    r = t["Resources"]
    for name, f in resources(t, "AWS::Lambda::Function").items():
        env = f["Properties"].get("Environment", {}).get("Variables", {})
        for key, value in env.items():
            text = " ".join(_strings(value))
            if "resolve:secretsmanager" in text or "resolve:ssm-secure" in text:
                problems.append(f"{name}: {key} resolves a secret into the environment")
            if key == "DATABASE_URL" and ":" in text.split("mysql://", 1)[-1].split("@", 1)[0]:
                problems.append(f"{name}: DATABASE_URL holds a password")
        if "DATABASE_URL" not in env:
            continue
        url = " ".join(_strings(env["DATABASE_URL"]))
        expected = "taskboard_migrate" if "Migrate" in name else "taskboard_app"
        if f"mysql://{expected}@" not in url:
            problems.append(f"{name}: signs in as someone other than {expected}")
        if env.get("DATABASE_AUTH") != "iam":
            problems.append(f"{name}: DATABASE_AUTH is not iam")
        if "ssl-mode=VERIFY_IDENTITY" not in url or "ssl-ca=/opt/rds-ca.pem" not in url:
            problems.append(f"{name}: no verified TLS with the RDS certificate bundle")
        layers = " ".join(_strings(f["Properties"].get("Layers", [])))
        if "RdsCaLayer" not in layers:
            problems.append(f"{name}: no RDS certificate layer")
    for name, db in resources(t, "AWS::RDS::DBInstance").items():
        props = db["Properties"]
        if props.get("EnableIAMDatabaseAuthentication") is not True:
            problems.append(f"{name}: IAM database authentication is off")
        if "MasterUserPassword" in props or props.get("ManageMasterUserPassword") is not True:
            problems.append(f"{name}: the master password is not kept by RDS")
    for name, proxy in resources(t, "AWS::RDS::DBProxy").items():
        if proxy["Properties"].get("DefaultAuthScheme") != "IAM_AUTH" or proxy["Properties"].get("Auth"):
            problems.append(f"{name}: not end-to-end IAM (DefaultAuthScheme IAM_AUTH, no secrets)")
    if resources(t, "AWS::SecretsManager::Secret"):
        problems.append("a Secrets Manager secret in the stack (RDS keeps the master password itself)")
    for name, e in resources(t, "AWS::EC2::VPCEndpoint").items():
        if "secretsmanager" in " ".join(_strings(e["Properties"].get("ServiceName"))):
            problems.append(f"{name}: a Secrets Manager endpoint nothing needs")
    grants = {}
    for name, res in r.items():
        docs = []
        if res["Type"] == "AWS::IAM::Role":
            docs = [p["PolicyDocument"] for p in res["Properties"].get("Policies", [])]
        elif res["Type"] == "AWS::IAM::ManagedPolicy":
            docs = [res["Properties"]["PolicyDocument"]]
        for doc in docs:
            for st in doc["Statement"]:
                actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
                if "rds-db:connect" in actions:
                    users = {u for u in ("taskboard_app", "taskboard_migrate") if u in " ".join(_strings(st["Resource"]))}
                    grants[name] = users
                    if "*" in " ".join(_strings(st["Resource"])):
                        problems.append(f"{name}: rds-db:connect on a wildcard")
    migrate_role = " ".join(_strings(r.get("MigrateFunction", {}).get("Properties", {}).get("Role", "")))
    for name, users in grants.items():
        if "taskboard_migrate" in users and name not in migrate_role:
            problems.append(f"{name}: signs in as the migration user, but is not the migrate function's")
    if not any("taskboard_migrate" in u for u in grants.values()):
        problems.append("no role may sign in as the migration user")
    return problems


def break_credentials(t):
    f = t["Resources"]["LoginFunction"]["Properties"]["Environment"]["Variables"]
    f["DATABASE_URL"] = {"Fn::Sub": "mysql://{{resolve:secretsmanager:S:SecretString:username}}:{{resolve:secretsmanager:S:SecretString:password}}@db:3306/taskboard"}


def break_shape(t):
    for d in resources(t, "AWS::CloudFront::Distribution").values():
        d["Properties"]["DistributionConfig"].pop("WebACLId", None)


def a_small_team_stack(t):
    """Issue 16: the default stage runs without the fixed costs a small team cannot carry. No
    interface VPC endpoint (each costs about 15 USD a month in two zones): the functions in the VPC
    reach AWS through the free DynamoDB gateway endpoint only, so none of them may be granted
    EventBridge or SES; events leave through the change log's stream, taken to the bus by the
    publisher (partial batch responses, a failure destination, inserts only), and account e-mail
    through the outgoing-mail queue's stream into the notifier. RDS Proxy is behind a condition
    that is off by default."""
    problems = []
    r = t["Resources"]
    for name, e in resources(t, "AWS::EC2::VPCEndpoint").items():
        kind = e["Properties"].get("VpcEndpointType", "Gateway")
        on = "Condition" not in e or condition_holds(t, e["Condition"])
        if kind == "Interface" and on:
            problems.append(f"{name}: an interface endpoint in the default stage")
    roles_in_vpc = set()
    for name, f in resources(t, "AWS::Lambda::Function").items():
        if f["Properties"].get("VpcConfig"):
            roles_in_vpc.add(" ".join(_strings(f["Properties"].get("Role", ""))))
    for name, res in r.items():
        if res["Type"] != "AWS::IAM::Role" or not any(name in role for role in roles_in_vpc):
            continue
        for policy in res["Properties"].get("Policies", []):
            for st in policy["PolicyDocument"]["Statement"]:
                actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
                for action in actions:
                    if action.startswith(("events:", "ses:", "secretsmanager:")):
                        problems.append(f"{name}: a function in the VPC is granted {action}, which it cannot reach")
    for name, proxy in r.items():
        if proxy["Type"].startswith("AWS::RDS::DBProxy"):
            if "Condition" not in proxy:
                problems.append(f"{name}: RDS Proxy without a condition")
            elif condition_holds(t, proxy["Condition"]):
                problems.append(f"{name}: RDS Proxy is on by default")
    table = r.get("TaskLogTable", {}).get("Properties", {})
    if table.get("StreamSpecification", {}).get("StreamViewType") != "NEW_IMAGE":
        problems.append("TaskLogTable: no stream of new images")
    mappings = [
        m for m in resources(t, "AWS::Lambda::EventSourceMapping").values()
        if "TaskLogTable" in " ".join(_strings(m["Properties"].get("EventSourceArn")))
    ]
    if len(mappings) != 1:
        problems.append(f"{len(mappings)} event source mappings on the change log's stream (want the publisher's)")
    for m in mappings:
        props = m["Properties"]
        if "PublisherFunction" not in " ".join(_strings(props.get("FunctionName"))):
            problems.append("the change log's stream does not trigger the publisher")
        if "ReportBatchItemFailures" not in props.get("FunctionResponseTypes", []):
            problems.append("the publisher's mapping has no partial batch responses")
        if not props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination"):
            problems.append("the publisher's mapping has no failure destination")
        if not props.get("FilterCriteria"):
            problems.append("the publisher's mapping is not filtered to inserts")
    return problems


def break_small_team(t):
    t["Resources"]["EventsEndpoint"] = {
        "Type": "AWS::EC2::VPCEndpoint",
        "Properties": {"VpcEndpointType": "Interface", "ServiceName": "com.amazonaws.eu-west-1.events"},
    }


CHECKS = [
    (a_small_team_stack, break_small_team),
    (database_sign_in_without_passwords, break_credentials),
    (the_shape_a_real_deploy_needs, break_shape),
    (alarm_topics_usable_by_cloudwatch, break_alarm_key),
    (no_error_pages_over_the_api, break_error_pages),
    (no_reservation_in_a_new_account, break_reservation),
]

template = json.load(open(sys.argv[1]))
failed = False
for check, breaker in CHECKS:
    broken = copy.deepcopy(template)
    breaker(broken)
    if not check(broken):
        print(f"FAIL {check.__name__}: passes on the broken form, so it guards nothing")
        failed = True
    problems = check(template)
    for p in problems:
        print(f"FAIL {check.__name__}: {p}")
    failed |= bool(problems)
    if not problems:
        print(f"  ok   {check.__name__} (and it fails on the broken form)")
sys.exit(1 if failed else 0)

"""Translate infra/template.yaml with aws-sam-translator, offline, and print the CloudFormation JSON.

cfn-lint misses some bad references inside SAM resources; linting the translated template catches them.
"""
import json
import os
import sys

# The translator asks for a region for pseudo parameters; any region will do offline.
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")

from cfnlint.decode import cfn_yaml
from samtranslator.translator.transform import transform


class OfflinePolicies:
    """The managed policies SAM attaches by name, so no IAM call is needed."""

    NAMES = [
        "AWSLambdaBasicExecutionRole",
        "AWSLambdaVPCAccessExecutionRole",
        "AWSXrayWriteOnlyAccess",
        "AWSLambdaRole",
    ]

    def load(self):
        return {n: f"arn:aws:iam::aws:policy/service-role/{n}" for n in self.NAMES}


template = cfn_yaml.load(sys.argv[1])
# As `sam package` does: local code paths become S3 objects.
template.get("Globals", {}).get("Function", {}).pop("CodeUri", None)
for name, resource in template["Resources"].items():
    if resource.get("Type") == "AWS::Serverless::Function":
        resource.setdefault("Properties", {})["CodeUri"] = f"s3://taskboard-artifacts/{name}.zip"
    if resource.get("Type") == "AWS::Serverless::LayerVersion":
        resource["Properties"]["ContentUri"] = f"s3://taskboard-artifacts/{name}.zip"
params = {"SenderAddress": "notifications@example.com"}
translated = transform(template, params, OfflinePolicies())
json.dump(translated, sys.stdout, indent=1, default=str)

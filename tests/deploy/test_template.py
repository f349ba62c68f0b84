"""What a deploy would create, read from the generated template: each function's role against the
permissions table, protection of the data, the API's limits, the alarms."""

import os
import re
import subprocess

import pytest
import yaml

from tests import iam
from tests.deploy.conftest import ROOT

FUNCTIONS = yaml.safe_load((ROOT / "serverless.yml").read_text())["functions"]


def logical(function: str) -> str:
    return function[0].upper() + function[1:]


def resource_key(resource) -> str:
    """A statement's resource in the table's terms (infra/permissions.yml)."""
    if resource == "*":
        return "sms"
    if "Fn::GetAtt" in resource:
        return resource["Fn::GetAtt"][0]
    if "Fn::Join" in resource:
        base, suffix = resource["Fn::Join"][1]
        return resource_key(base) + suffix
    arn = resource["Fn::Sub"]
    if found := re.fullmatch(
        r"arn:\$\{AWS::Partition\}:secretsmanager:\$\{AWS::Region\}:\$\{AWS::AccountId\}"
        r":secret:sheqi/ci/([a-z-]+)-\?{6}",
        arn,
    ):
        return f"secret:{found[1]}"
    if re.fullmatch(r"arn:\$\{AWS::Partition\}:ses:[a-z0-9-]+:\$\{AWS::AccountId\}:identity/\*", arn):
        return "mail"
    raise AssertionError(f"unexpected resource {resource}")


def statements(resources, function) -> list[dict]:
    role = resources[f"{logical(function)}LambdaFunction"]["Properties"]["Role"]["Fn::GetAtt"][0]
    (policy,) = resources[role]["Properties"]["Policies"]
    return policy["PolicyDocument"]["Statement"]


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_each_function_has_its_own_role_with_exactly_its_row(resources, function):
    fn = resources[f"{logical(function)}LambdaFunction"]
    role = resources[fn["Properties"]["Role"]["Fn::GetAtt"][0]]
    trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust == [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    assert set(role["Properties"]) == {"AssumeRolePolicyDocument", "Policies"}  # no managed policies
    logs, *grants = statements(resources, function)
    log_group = resources[logs["Resource"]["Fn::GetAtt"][0]]["Properties"]["LogGroupName"]
    assert log_group == f"/aws/lambda/{fn['Properties']['FunctionName']}"
    assert logs["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert all(s["Effect"] == "Allow" and set(s) <= {"Effect", "Action", "Resource", "Condition"} for s in grants)
    granted = {(action, resource_key(s["Resource"])) for s in grants for action in s["Action"]}
    assert granted == {(action, key) for key, actions in iam.table()[function].items() for action in actions}
    for s in grants:
        if resource_key(s["Resource"]) == "mail":  # mail only from the configured sender
            sender = fn["Properties"]["Environment"]["Variables"]["NOTIFY_FROM"]
            assert s["Condition"] == {"StringEquals": {"ses:FromAddress": sender}}
        else:
            assert "Condition" not in s


def test_no_role_but_the_functions_own(resources):
    roles = {name for name, r in resources.items() if r["Type"].startswith("AWS::IAM::")}
    assert roles == {f"{logical(f)}Role" for f in FUNCTIONS}
    used = [resources[f"{logical(f)}LambdaFunction"]["Properties"]["Role"]["Fn::GetAtt"][0] for f in FUNCTIONS]
    assert len(set(used)) == len(FUNCTIONS)


def test_only_scans_and_visits_delete_and_only_tally_items(resources):
    deleting = {
        f: {
            resource_key(s["Resource"])
            for s in statements(resources, f)[1:]
            if any(re.search(r":Delete(Item|Object)", a) for a in s["Action"])
        }
        for f in FUNCTIONS
    }
    assert {f: d for f, d in deleting.items() if d} == {"scans": {"TalliesTable"}, "visits": {"TalliesTable"}}
    # The chain's events are only ever added.
    for f in FUNCTIONS:
        for s in statements(resources, f)[1:]:
            if resource_key(s["Resource"]).startswith("VisitEventsTable"):
                assert set(s["Action"]) <= {"dynamodb:PutItem", "dynamodb:Query"}


def test_the_public_code_check_reads_one_enterprise_and_the_code_keys(resources):
    granted = {(a, resource_key(s["Resource"])) for s in statements(resources, "codeVerify")[1:] for a in s["Action"]}
    assert granted == {("dynamodb:GetItem", "EnterprisesTable"), ("secretsmanager:GetSecretValue", "secret:qr-signing-keys")}


def test_no_secret_in_any_environment(resources):
    for f in FUNCTIONS:
        variables = resources[f"{logical(f)}LambdaFunction"]["Properties"]["Environment"]["Variables"]
        assert "QR_SIGNING_KEYS" not in variables
        assert variables["QR_SIGNING_KEYS_SECRET"] == "sheqi/ci/qr-signing-keys"
        assert not any("resolve:secretsmanager" in str(v) for v in variables.values())


def test_tables_cannot_be_deleted_and_keep_point_in_time_recovery(resources):
    tables = [r for r in resources.values() if r["Type"] == "AWS::DynamoDB::Table"]
    assert len(tables) >= 19
    for table in tables:
        assert table["Properties"]["DeletionProtectionEnabled"] is True
        assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert table["DeletionPolicy"] == "Retain"


def refuses_plain_http(statement: dict) -> bool:
    insecure = statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport")
    return (statement["Effect"], statement["Principal"], statement["Action"], str(insecure).lower()) == (
        "Deny",
        "*",
        "s3:*",
        "false",
    )


def test_buckets_are_private_tls_only_and_evidence_is_locked(resources):
    buckets = {name for name, r in resources.items() if r["Type"] == "AWS::S3::Bucket"}
    policies = {
        r["Properties"]["Bucket"]["Ref"]: r["Properties"]["PolicyDocument"]["Statement"]
        for r in resources.values()
        if r["Type"] == "AWS::S3::BucketPolicy"
    }
    for bucket in buckets:
        block = resources[bucket]["Properties"]["PublicAccessBlockConfiguration"]
        assert block == {k: True for k in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")}
        assert any(refuses_plain_http(s) for s in policies[bucket]), bucket
    evidence = resources["EvidenceBucket"]["Properties"]
    assert evidence["ObjectLockEnabled"] is True and evidence["VersioningConfiguration"] == {"Status": "Enabled"}
    retention = evidence["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
    assert retention["Mode"] == "GOVERNANCE" and int(retention["Years"]) >= 1


def test_the_api_is_throttled_and_logged(resources):
    stage = resources["HttpApiStage"]["Properties"]
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0 and stage["DefaultRouteSettings"]["ThrottlingBurstLimit"] > 0
    assert stage["AccessLogSettings"]["DestinationArn"] == {"Fn::GetAtt": ["HttpApiLogGroup", "Arn"]}
    assert "$context.status" in stage["AccessLogSettings"]["Format"]


def test_alarms_watch_every_dead_letter_queue_function_and_schedule(resources):
    alarms = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    assert all(a["AlarmActions"] == [{"Ref": "AlarmTopic"}] for a in alarms)
    watched = {(a["MetricName"], str(a["Dimensions"][0]["Value"])) for a in alarms}
    dead_letter_queues = {
        q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for q in resources.values()
        if q["Type"] == "AWS::SQS::Queue" and "RedrivePolicy" in q["Properties"]
    }
    destinations = {
        c["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
        for c in resources.values()
        if c["Type"] == "AWS::Lambda::EventInvokeConfig"
    }
    assert destinations == {"ScheduledRunsDeadLetterQueue"}
    for queue in dead_letter_queues | destinations:
        assert ("ApproximateNumberOfMessagesVisible", str({"Fn::GetAtt": [queue, "QueueName"]})) in watched
    for f, config in FUNCTIONS.items():
        ref = str({"Ref": f"{logical(f)}LambdaFunction"})
        assert {("Errors", ref), ("Throttles", ref)} <= watched
        if any("schedule" in e for e in config["events"]):
            assert ("Invocations", ref) in watched
            assert resources[f"{logical(f)}LambdaEvConf"]["Properties"]["DestinationConfig"]["OnFailure"]
    assert ("DeliveriesFailed", "sheqi") in watched and ("DeliveriesDead", "sheqi") in watched


REQUIRED = {
    "SHEQI_JWT_ISSUER_URL": "https://idp.zjk.gov.cn/realms/sheqi",
    "SHEQI_JWT_AUDIENCE": "sheqi-api",
    "SHEQI_PUBLIC_CODE_URL": "https://sheqi.zjk.gov.cn/c/",
    "SHEQI_NOTIFY_FROM": "noreply@zjk.gov.cn",
}


def serverless_print(stage: str, settings: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in REQUIRED}
    env.update(
        settings,
        AWS_ACCESS_KEY_ID="offline",
        AWS_SECRET_ACCESS_KEY="offline",
        SLS_TELEMETRY_DISABLED="1",
        SLS_NOTIFICATIONS_MODE="off",
    )
    return subprocess.run(
        ["node_modules/.bin/serverless", "print", "--stage", stage, "--path", "custom"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_a_real_stage_does_not_package_without_its_settings(template):  # template: node_modules is installed
    for missing in REQUIRED:
        failed = serverless_print("prod", {k: v for k, v in REQUIRED.items() if k != missing})
        assert failed.returncode != 0 and "Value not found" in failed.stdout + failed.stderr, missing
    assert serverless_print("prod", REQUIRED).returncode == 0
    assert serverless_print("dev", {}).returncode == 0  # placeholders serve the stages that serve no one


def test_the_posters_url_is_a_route_of_the_code_check():
    """PUBLIC_CODE_URL<token>, as printed on every poster, reaches codeVerify (placeholders and a real stage)."""
    from urllib.parse import urlparse

    config = yaml.safe_load((ROOT / "serverless.yml").read_text())
    routes = {e["httpApi"]["path"] for e in FUNCTIONS["codeVerify"]["events"]}
    for url in (config["custom"]["placeholders"]["dev"]["publicCodeUrl"], REQUIRED["SHEQI_PUBLIC_CODE_URL"]):
        assert urlparse(url).path + "{token}" in routes, url

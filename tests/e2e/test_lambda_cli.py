"""The Lambda REST API subset with the AWS CLI: list the built-in functions,
create, read, update, disable and delete an event-source mapping."""
import json
import os
import subprocess

from rivulet_harness import AWS_ENV


def aws(server, *args, check=True):
    result = subprocess.run(["/usr/bin/aws", "--endpoint-url", server.aws_url, "--output", "json", *args],
                            capture_output=True, text=True, env=dict(os.environ, **AWS_ENV), timeout=60)
    if check:
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout) if result.stdout.strip() else None
    return result


def test_builtin_functions_are_listed(rivulet):
    names = [f["FunctionName"] for f in aws(rivulet, "lambda", "list-functions")["Functions"]]
    assert {"order-processor", "notifier", "analytics"} <= set(names)
    got = aws(rivulet, "lambda", "get-function", "--function-name", "order-processor")
    assert got["Configuration"]["FunctionArn"].endswith(":function:order-processor")


def test_mapping_lifecycle(rivulet):
    aws(rivulet, "kinesis", "create-stream", "--stream-name", "lambda-e2e", "--shard-count", "1")
    arn = "arn:aws:kinesis:us-east-1:000000000000:stream/lambda-e2e"
    created = aws(rivulet, "lambda", "create-event-source-mapping", "--function-name", "analytics",
                  "--event-source-arn", arn, "--starting-position", "LATEST", "--batch-size", "25",
                  "--maximum-batching-window-in-seconds", "1")
    uuid = created["UUID"]
    assert created["State"] == "Enabled" and created["BatchSize"] == 25
    assert created["MaximumBatchingWindowInSeconds"] == 1

    listed = aws(rivulet, "lambda", "list-event-source-mappings", "--event-source-arn", arn)
    assert [m["UUID"] for m in listed["EventSourceMappings"]] == [uuid]

    updated = aws(rivulet, "lambda", "update-event-source-mapping", "--uuid", uuid, "--no-enabled",
                  "--batch-size", "10")
    assert updated["State"] == "Disabled" and updated["BatchSize"] == 10
    assert aws(rivulet, "lambda", "get-event-source-mapping", "--uuid", uuid)["BatchSize"] == 10

    aws(rivulet, "lambda", "delete-event-source-mapping", "--uuid", uuid)
    missing = aws(rivulet, "lambda", "get-event-source-mapping", "--uuid", uuid, check=False)
    assert missing.returncode != 0 and "ResourceNotFoundException" in missing.stderr


def test_bad_mappings_are_rejected_and_nothing_is_created(rivulet):
    aws(rivulet, "kinesis", "create-stream", "--stream-name", "lambda-bad", "--shard-count", "1")
    arn = "arn:aws:kinesis:us-east-1:000000000000:stream/lambda-bad"
    unknown = aws(rivulet, "lambda", "create-event-source-mapping", "--function-name", "no-such-fn",
                  "--event-source-arn", arn, "--starting-position", "LATEST", check=False)
    assert unknown.returncode != 0 and "ResourceNotFoundException" in unknown.stderr
    too_big = aws(rivulet, "lambda", "create-event-source-mapping", "--function-name", "analytics",
                  "--event-source-arn", arn, "--starting-position", "LATEST", "--batch-size", "20000",
                  check=False)
    assert too_big.returncode != 0
    assert not aws(rivulet, "lambda", "list-event-source-mappings", "--event-source-arn", arn)["EventSourceMappings"]

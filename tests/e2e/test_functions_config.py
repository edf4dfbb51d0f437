"""Event-source mappings from the TOML config and from the Lambda API across
restarts: bad configuration stops the server with a message naming the
setting; mappings created through the API are kept; the API answers bad
parameters in Lambda's error shape."""
import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from rivulet_harness import AWS_ENV, Rivulet

ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/"


def client(server, service):
    return boto3.client(service, endpoint_url=server.aws_url, region_name=AWS_ENV["AWS_DEFAULT_REGION"],
                        aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
                        config=Config(retries={"max_attempts": 1}, parameter_validation=False))


def start_with(tmp_path, toml):
    config = tmp_path / "rivulet.toml"
    config.write_text(toml)
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    return Rivulet(data_dir=data, extra_args=["--config", str(config)])


@pytest.mark.parametrize("entry, message", [
    ('function = "no-such-fn"\nstream = "s"\nstream_shards = 1\n', "function 'no-such-fn' is unknown"),
    ('function = "analytics"\nstream = "s"\nstream_shards = 1\nbatch_size = 0\n', "BatchSize is 0; it must be 1..10000"),
    ('function = "analytics"\nstream = "s"\nstream_shards = 1\nmaximum_batching_window_seconds = 301\n',
     "maximum_batching_window_seconds is 301; it must be 0..300"),
    ('function = "analytics"\nstream = "s"\nstream_shards = 1\ntumbling_window_seconds = 901\n',
     "TumblingWindowInSeconds is 901"),
    ('function = "analytics"\nstream = "s"\nstream_shards = 1\nparallelization_factor = 11\n',
     "ParallelizationFactor is 11"),
    ('function = "analytics"\nstream = "missing"\n', "stream 'missing' does not exist"),
    ('function = "analytics"\nstream = "s"\nbatch_sise = 10\n', "batch_sise is not a mapping setting"),
])
def test_bad_configured_mapping_stops_start_up_with_a_message(tmp_path, entry, message):
    server = start_with(tmp_path, "[[functions.mappings]]\n" + entry)
    with pytest.raises(RuntimeError) as failed:
        server.start()
    assert "exited with 1" in str(failed.value)
    assert message in str(failed.value)


def test_configured_mapping_runs_and_is_listed(tmp_path):
    server = start_with(tmp_path, """
[[functions.mappings]]
function = "analytics"
stream = "clicks"
stream_shards = 2
batch_size = 42
parallelization_factor = 3
starting_position = "TRIM_HORIZON"
""")
    with server:
        mappings = client(server, "lambda").list_event_source_mappings()["EventSourceMappings"]
        assert len(mappings) == 1
        m = mappings[0]
        assert m["UUID"] == "config-analytics-clicks"
        assert m["EventSourceArn"] == ARN + "clicks"
        assert (m["BatchSize"], m["ParallelizationFactor"], m["StartingPosition"]) == (42, 3, "TRIM_HORIZON")
        shards = client(server, "kinesis").describe_stream(StreamName="clicks")["StreamDescription"]["Shards"]
        assert len(shards) == 2


def test_mappings_created_through_the_api_survive_a_restart(tmp_path):
    server = Rivulet(data_dir=tmp_path / "data")
    server.data_dir.mkdir()
    with server:
        client(server, "kinesis").create_stream(StreamName="kept", ShardCount=1)
        lam = client(server, "lambda")
        kept = lam.create_event_source_mapping(FunctionName="analytics", EventSourceArn=ARN + "kept",
                                               StartingPosition="TRIM_HORIZON", BatchSize=7,
                                               ParallelizationFactor=2)["UUID"]
        gone = lam.create_event_source_mapping(FunctionName="analytics", EventSourceArn=ARN + "kept",
                                               StartingPosition="LATEST")["UUID"]
        lam.update_event_source_mapping(UUID=kept, BatchSize=9, Enabled=False)
        lam.delete_event_source_mapping(UUID=gone)
    with server:
        lam = client(server, "lambda")
        listed = lam.list_event_source_mappings(EventSourceArn=ARN + "kept")["EventSourceMappings"]
        assert [m["UUID"] for m in listed] == [kept]
        m = listed[0]
        assert (m["BatchSize"], m["State"], m["ParallelizationFactor"]) == (9, "Disabled", 2)
        assert m["StartingPosition"] == "TRIM_HORIZON"


def test_api_errors_have_lambdas_shape(rivulet):
    client(rivulet, "kinesis").create_stream(StreamName="errs", ShardCount=1)
    lam = client(rivulet, "lambda")
    for kwargs, code, text in [
        ({"FunctionName": "no-such-fn"}, "ResourceNotFoundException", "no-such-fn"),
        ({"FunctionName": "analytics", "BatchSize": 10001}, "InvalidParameterValueException", "BatchSize"),
        ({"FunctionName": "analytics", "ParallelizationFactor": 0}, "InvalidParameterValueException",
         "ParallelizationFactor"),
        ({"FunctionName": "analytics", "MaximumBatchingWindowInSeconds": 301}, "InvalidParameterValueException",
         "MaximumBatchingWindowInSeconds"),
    ]:
        with pytest.raises(ClientError) as err:
            lam.create_event_source_mapping(EventSourceArn=ARN + "errs", StartingPosition="LATEST", **kwargs)
        assert err.value.response["Error"]["Code"] == code, kwargs
        assert text in err.value.response["Error"]["Message"], kwargs
    with pytest.raises(ClientError) as err:
        lam.get_event_source_mapping(UUID="00000000-0000-0000-0000-000000000000")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert lam.list_event_source_mappings(EventSourceArn=ARN + "errs")["EventSourceMappings"] == []

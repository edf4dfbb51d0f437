"""Kinesis over CBOR (application/x-amz-cbor-1.1, the AWS SDK for Java's
default): requests built with cbor-x, answers compared field by field with
the JSON 1.1 ones; the checks live in tests/node/kinesis_cbor_test.js."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from rivulet_harness import AWS_ENV

NODE_DIR = Path(__file__).resolve().parents[1] / "node"


def test_cbor_matches_json_field_by_field(rivulet):
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "cbor-x").exists():
        pytest.fail("node and tests/node/node_modules are required: run scripts/install-deps")
    env = dict(os.environ, **AWS_ENV, KINESIS_ENDPOINT=rivulet.aws_url)
    p = subprocess.run([node, str(NODE_DIR / "kinesis_cbor_test.js")], env=env, cwd=NODE_DIR,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}"
    assert "ok" in p.stdout

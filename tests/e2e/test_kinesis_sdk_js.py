"""The AWS SDK for JavaScript v3 (@aws-sdk/client-kinesis, HTTP/1.1 through
NodeHttpHandler) against a running rivulet; the checks live in
tests/node/kinesis_sdk_test.js, which exits non-zero on the first failure."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from rivulet_harness import AWS_ENV

NODE_DIR = Path(__file__).resolve().parents[1] / "node"


def test_js_sdk_v3_round_trip(rivulet):
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "@aws-sdk" / "client-kinesis").exists():
        pytest.fail("node and tests/node/node_modules are required: run scripts/install-deps")
    env = dict(os.environ, **AWS_ENV, KINESIS_ENDPOINT=rivulet.aws_url)
    p = subprocess.run([node, str(NODE_DIR / "kinesis_sdk_test.js")], env=env, cwd=NODE_DIR,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}"
    assert "ok" in p.stdout

"""The AWS SDK for JavaScript v3 (@aws-sdk/client-dynamodb and
@aws-sdk/lib-dynamodb's DocumentClient, HTTP/1.1 through NodeHttpHandler)
against a running rivulet; the checks live in
tests/dynamodb-js/dynamodb_sdk_test.js, which exits non-zero on the first
failure: an orders table with a GSI on the customer id, conditional puts,
optimistic locking, a 10,000-item paginated query, transactions, errors."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from rivulet_harness import AWS_ENV

JS_DIR = Path(__file__).resolve().parents[1] / "dynamodb-js"


def test_js_sdk_v3_document_client(rivulet):
    node = shutil.which("node")
    if node is None or not (JS_DIR / "node_modules" / "@aws-sdk" / "lib-dynamodb").exists():
        pytest.fail("node and tests/dynamodb-js/node_modules are required: run scripts/install-deps")
    env = dict(os.environ, **AWS_ENV, DYNAMODB_ENDPOINT=rivulet.aws_url)
    p = subprocess.run([node, str(JS_DIR / "dynamodb_sdk_test.js")], env=env, cwd=JS_DIR,
                       capture_output=True, text=True, timeout=240)
    assert p.returncode == 0, f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}"
    assert "ok" in p.stdout

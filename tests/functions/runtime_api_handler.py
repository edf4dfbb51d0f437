#!/usr/bin/env python3
"""A Lambda function process that speaks the Runtime API over plain HTTP (no
runtime interface client), for Rivulet's tests. It appends one JSON line per
record it sees to $HANDLER_LOG (the sequence number, the key, the decoded
data, and the environment Lambda sets), then answers by the record's data:
  "error"  -> POST .../error           (the whole batch fails)
  "sleep"  -> sleeps past any timeout
  "item"   -> reported in batchItemFailures
  anything else succeeds.
With HANDLER_INIT_ERROR set it reports an init error and exits, as a client
does when the handler cannot be loaded."""
import base64
import json
import os
import sys
import time
import urllib.request

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"
LOG = os.environ.get("HANDLER_LOG")


def post(path, body):
    req = urllib.request.Request(API + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req).read()


if os.environ.get("HANDLER_INIT_ERROR"):
    post("/init/error", {"errorMessage": "cannot load handler", "errorType": "Runtime.ImportModuleError"})
    sys.exit(1)

while True:
    with urllib.request.urlopen(API + "/invocation/next") as res:
        request_id = res.headers["Lambda-Runtime-Aws-Request-Id"]
        deadline = res.headers["Lambda-Runtime-Deadline-Ms"]
        event = json.loads(res.read())
    failed, error = [], None
    lines = []
    for r in event["Records"]:
        k = r["kinesis"]
        data = base64.b64decode(k["data"]).decode()
        lines.append(json.dumps({"seq": k["sequenceNumber"], "key": k["partitionKey"], "data": data,
                                 "arn": r["eventSourceARN"], "source": r["eventSource"], "id": r["eventID"],
                                 "handler": os.environ.get("_HANDLER"), "deadline": deadline,
                                 "name": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
                                 "pid": os.getpid()}))
        if data == "error":
            error = "asked to fail"
        elif data == "sleep":
            time.sleep(3600)
        elif data == "item":
            failed.append({"itemIdentifier": k["sequenceNumber"]})
    if LOG and lines:
        with open(LOG, "a") as f:
            f.write("\n".join(lines) + "\n")
            f.flush()
            os.fsync(f.fileno())
    if error:
        post(f"/invocation/{request_id}/error", {"errorMessage": error, "errorType": "HandlerError"})
    else:
        post(f"/invocation/{request_id}/response", {"batchItemFailures": failed})

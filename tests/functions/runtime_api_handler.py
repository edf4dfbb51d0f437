#!/usr/bin/env python3
"""A Lambda function process that speaks the Runtime API over plain HTTP (no
runtime interface client), for Rivulet's tests. It appends one JSON line per
record it sees to $HANDLER_LOG (the sequence number, the key, the decoded
data, and the environment Lambda sets), then answers by the record's data:
  "error"  -> POST .../error           (the whole batch fails)
  "sleep"  -> sleeps past any timeout
  "item"   -> reported in batchItemFailures
  "meet:R" -> waits (up to its deadline) until HANDLER_MEET_COUNT (default 2)
              processes are inside a "meet:R" record at once, each leaving
              a file <pid>-<request id> in HANDLER_MEET_DIR/R: proof that
              invocations overlap; fails the batch (and removes its file) if
              the others never come, so the files left are the meetings
  "crash"  -> the first time (no HANDLER_LOG.crashed yet): writes its pid to
              HANDLER_LOG.crashed and exits with code 3 mid-invocation; after
              that it succeeds
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
MEET_DIR = os.environ.get("HANDLER_MEET_DIR")
MEET_COUNT = int(os.environ.get("HANDLER_MEET_COUNT", "2"))


def meet(place, request_id, deadline_ms):
    """Leaves this process's pid and waits for the others; True when all came."""
    folder = os.path.join(MEET_DIR, place)
    os.makedirs(folder, exist_ok=True)
    mine = os.path.join(folder, f"{os.getpid()}-{request_id}")
    open(mine, "w").close()
    # Leave a margin before the deadline to answer (the timeout would kill us).
    while time.time() * 1000 < deadline_ms - 500:
        if len(live_pids(folder)) >= MEET_COUNT:
            return True
        time.sleep(0.01)
    os.remove(mine)
    return False


def live_pids(folder):
    """The pids in `folder` whose process still runs (one killed while it
    waited leaves its file behind)."""
    pids = set()
    for name in os.listdir(folder):
        pid = int(name.split("-")[0])
        try:
            os.kill(pid, 0)
            pids.add(pid)
        except ProcessLookupError:
            pass
    return pids


def post(path, body):
    req = urllib.request.Request(API + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req).read()


if os.environ.get("HANDLER_INIT_ERROR"):
    post("/init/error", {"errorMessage": "cannot load handler", "errorType": "Runtime.ImportModuleError"})
    sys.exit(1)

# A process killed with its server (PR_SET_PDEATHSIG) can leave a torn last
# line; end it, or this process's first line would be glued to it and lost
# to a reader that skips lines it cannot parse.
if LOG and os.path.exists(LOG):
    with open(LOG, "rb+") as f:
        size = f.seek(0, os.SEEK_END)
        if size > 0:
            f.seek(size - 1)
            if f.read(1) != b"\n":
                f.write(b"\n")

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
        elif data.startswith("meet:"):
            if not meet(data[5:], request_id, int(deadline)):
                error = "nobody else came to the meeting"
        elif data == "crash" and LOG and not os.path.exists(LOG + ".crashed"):
            with open(LOG + ".crashed", "w") as f:
                f.write(str(os.getpid()))
            os._exit(3)
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

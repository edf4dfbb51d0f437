#!/usr/bin/env bash
# The cost of IAM: policy evaluations/s (10 policies, 50 statements) and
# SigV4 verifications/s beside their floors, then Kinesis PutRecords
# throughput through the AWS endpoint with auth on (SigV4 + policy per
# request, as a non-root user with a policy) and with iam.auth=off, in the
# same run with the same load client. Bounded: BENCH_SECONDS per PutRecords
# phase (default 10), BENCH_CONNECTIONS (default 8).
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir=${RIVULET_BUILD_DIR:-build}
seconds=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-8}
cmake --build "$build_dir" --target rivulet kinesis_load iam_bench role_bench >/dev/null
tmp=$(mktemp -d /tmp/rivulet-bench-iam.XXXXXX)
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
export RIVULET_ROOT_ACCESS_KEY_ID=AKIDEXAMPLE RIVULET_ROOT_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY

echo "== in-process (one core) =="
"$build_dir/bench/iam_bench" 2
echo "== a built-in function's table calls through its execution role (in-process, one core) =="
"$build_dir/bench/role_bench" 2

start() {  # $1: label, rest: extra flags
  local dir="$tmp/$1"; shift
  mkdir -p "$dir"
  "$build_dir/rivulet" serve --data-dir "$dir" --bind 127.0.0.1 --http-port 0 --aws-port 0 --log-level warn \
    --set orders.seed_demo=false "$@" >"$dir.log" 2>&1 &
  pid=$!
  for _ in $(seq 200); do [[ -s "$dir/ports.json" ]] && break; sleep 0.05; done
  port=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["aws"])' "$dir/ports.json")
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }
phases=(--shards 2 --connections "$connections" --batch 500 --record-bytes 100 --put-records-seconds "$seconds"
        --put-record-seconds 0)

# Auth on: a user whose policies (the realistic 10-policy set's shape: one
# inline policy with a Deny, a NotAction and the allowing statement) are
# evaluated on every call.
start on
AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=$RIVULET_ROOT_SECRET_ACCESS_KEY /usr/bin/python3 - "$port" >"$tmp/user.env" <<'PY'
import json, sys, boto3
iam = boto3.client("iam", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1")
iam.create_user(UserName="bench")
policy = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "kinesis:Delete*", "Resource": "*"},
    {"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "arn:aws:s3:::logs/*"},
    {"Effect": "Allow", "Action": ["kinesis:PutRecords", "kinesis:PutRecord", "kinesis:CreateStream",
                                   "kinesis:Describe*", "kinesis:ListShards"],
     "Resource": "arn:aws:kinesis:*:*:stream/*", "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}}]}
iam.put_user_policy(UserName="bench", PolicyName="produce", PolicyDocument=json.dumps(policy))
key = iam.create_access_key(UserName="bench")["AccessKey"]
print(f"export AWS_ACCESS_KEY_ID={key['AccessKeyId']} AWS_SECRET_ACCESS_KEY={key['SecretAccessKey']}")
PY
(source "$tmp/user.env"; "$build_dir/bench/kinesis_load" --port "$port" --label auth-on --server-pid "$pid" \
  "${phases[@]}") | tee "$tmp/results.jsonl" >&2
stop
start off --set iam.auth=off
"$build_dir/bench/kinesis_load" --port "$port" --label auth-off --server-pid "$pid" "${phases[@]}" \
  | tee -a "$tmp/results.jsonl" >&2
stop

/usr/bin/python3 - "$tmp/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
get = lambda target, key: next(r[key] for r in rows if r["target"] == target and r["phase"] == "put_records")
print("\n== PutRecords through :4566 (500 x 100 B records per call) ==")
print(f"{'':<34}{'auth on':>14}{'auth off':>14}{'on/off':>9}")
for name, key in (("records/s", "records_per_s"), ("records per server CPU-second", "records_per_server_cpu_s")):
    on, off = get("auth-on", key), get("auth-off", key)
    print(f"{name:<34}{on:>14,.0f}{off:>14,.0f}{on / off:>9.2f}")
on, off = get("auth-on", "records_per_server_cpu_s"), get("auth-off", "records_per_server_cpu_s")
print(f"auth costs {100 * (1 - on / off):.1f}% of server CPU per record (target: < 10%)")
PY

#!/usr/bin/env bash
# Load benchmark of the ingress on this machine, in one run:
#   1. baseline: the ingress code answering 200 without Kafka (null sink)
#   2. kafka:    the same server storing every request with acks=all
#   3. paced:    kafka mode at ~1,000 requests/s, for the latency percentiles
# Body: a realistic 4 KiB App Store Server Notification V2. Load: wrk,
# keep-alive. Uses STOREWIRE_TEST_KAFKA_BROKERS if set, else starts a broker
# with tests/kafka/broker. Needs a release build (cmake --build --preset release).
#
#   tests/bench/ingress_load.sh [DURATION_SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
duration=${1:-15}
server="$root/build/bench/ingress_bench_server"
[ -x "$server" ] || { echo "build first: cmake --build --preset release" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk missing: deploy/install-deps --test" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/storewire-bench.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/kafka/pid" ] && "$root/tests/kafka/broker" stop "$work/kafka" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

brokers=${STOREWIRE_TEST_KAFKA_BROKERS:-}
if [ -z "$brokers" ]; then
  brokers=$("$root/tests/kafka/broker" start "$work/kafka")
fi

# A 4 KiB V2 body: Apple's JWS shape (x5c chain in the header, nested
# transaction JWS in the payload), padded to 4096 bytes.
python3 - "$work/body.json" <<'PY'
import base64, json, sys
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
cert = base64.b64encode(bytes(range(256)) * 2).decode()   # ~680 chars, like a DER cert
header = b64(json.dumps({"alg": "ES256", "x5c": [cert, cert, cert]}).encode())
tx = ".".join([b64(b'{"alg":"ES256"}'), b64(json.dumps({
    "transactionId": "2000000000000001", "originalTransactionId": "2000000000000000",
    "bundleId": "com.example", "productId": "com.example.monthly", "price": 9990,
    "currency": "USD", "purchaseDate": 1761962900000, "expiresDate": 1764554900000}).encode()),
    b64(b"s" * 64)])
def body(pad):
    payload = {"notificationType": "DID_RENEW", "notificationUUID": "6f1c6d5e-0000-4000-8000-000000000001",
               "data": {"bundleId": "com.example", "environment": "Sandbox", "appAppleId": 1234,
                        "signedTransactionInfo": tx, "pad": "x" * pad}, "version": "2.0",
               "signedDate": 1761962975000}
    jws = ".".join([header, b64(json.dumps(payload).encode()), b64(b"s" * 64)])
    return json.dumps({"signedPayload": jws})
pad = 0
while len(body(pad + 1)) <= 4096: pad += 1
open(sys.argv[1], "w").write(body(pad))
PY

prefix="bench$RANDOM"
cat > "$work/storewire.yaml" <<YAML
kafka: {brokers: "$brokers", topic_prefix: $prefix, partitions: 6}
apps:
  - id: demo
    apple: {bundle_id: com.example, app_apple_id: 1234}
ingress: {produce_timeout: 5s}
YAML

# Not in a $(...) subshell: the pid must reach `pids` so that cleanup stops it.
start_server() {  # sink -> sets server_port
  local sink=$1
  "$server" --config "$work/storewire.yaml" --sink "$sink" --port 0 >"$work/$sink.out" 2>"$work/$sink.err" &
  pids+=($!)
  for _ in $(seq 1 300); do
    grep -q '^listening' "$work/$sink.out" 2>/dev/null && break
    sleep 0.1
  done
  server_port=$(awk '/^listening/{print $2}' "$work/$sink.out")
}

run_wrk() {  # label url connections delay_ms
  BENCH_BODY="$work/body.json" BENCH_DELAY_MS=$4 \
    wrk -t2 -c"$3" -d"${duration}s" --latency -s "$root/tests/bench/post.lua" "$2" >"$work/$1.wrk"
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec/{print $2}' "$work/$1.wrk")
  p50=$(awk '$1=="50%"{print $2}' "$work/$1.wrk")
  p99=$(awk '$1=="99%"{print $2}' "$work/$1.wrk")
  errors=$(awk '/^non-2xx/{print $NF}' "$work/$1.wrk")
  printf '%-28s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$1" "$rps" "$p50" "$p99" "$errors"
  echo "$rps" > "$work/$1.rps"
}

start_server null
null_port=$server_port
start_server kafka
kafka_port=$server_port
[ -n "$null_port" ] && [ -n "$kafka_port" ] || { cat "$work"/*.err >&2; exit 1; }
url=/v1/apple/demo
echo "body: $(wc -c < "$work/body.json") bytes; duration ${duration}s per run; brokers $brokers"
# warm up both (connections, producer id, metadata)
BENCH_BODY="$work/body.json" wrk -t1 -c4 -d2s -s "$root/tests/bench/post.lua" "http://127.0.0.1:$kafka_port$url" >/dev/null
run_wrk "baseline (no Kafka), c=64" "http://127.0.0.1:$null_port$url" 64 0
run_wrk "kafka acks=all, c=64" "http://127.0.0.1:$kafka_port$url" 64 0
run_wrk "kafka acks=all, paced ~1000rps" "http://127.0.0.1:$kafka_port$url" 18 10
python3 - "$work" <<'PY'
import sys, pathlib
w = pathlib.Path(sys.argv[1])
base = float((w / "baseline (no Kafka), c=64.rps").read_text())
kafka = float((w / "kafka acks=all, c=64.rps").read_text())
print(f"kafka / baseline = {kafka / base:.2f} (target >= 0.50)")
PY

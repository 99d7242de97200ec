#!/usr/bin/env bash
# Runs deploy/examples/python-consumer/consume.py against the real test broker
# (STOREWIRE_TEST_KAFKA_BROKERS): a SubscriptionEvent with CloudEvents headers
# is produced to a fresh <prefix>.events.v1 inside a committed transaction, one
# inside an aborted transaction; the example (own group, read_committed) must
# print exactly the committed one, decoded, with its headers.
# The example's Python packages are installed once into a venv under
# ${STOREWIRE_CACHE:-$HOME/.cache/storewire}. Exit 77 (skipped) without a
# broker or without python3 -m venv / pip.
set -euo pipefail
repo=$1
work=$2
brokers=${STOREWIRE_TEST_KAFKA_BROKERS:-}
if [ -z "$brokers" ]; then echo "SKIP: set STOREWIRE_TEST_KAFKA_BROKERS (tests/run does)"; exit 77; fi
example="$repo/deploy/examples/python-consumer"
venv=${STOREWIRE_CACHE:-$HOME/.cache/storewire}/python-consumer-venv
mkdir -p "$(dirname "$venv")" "$work"
exec 9>"$venv.lock"
flock 9
if [ ! -f "$venv/.complete" ] || ! cmp -s "$example/requirements.txt" "$venv/.complete"; then
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then echo "SKIP: python3 -m venv unavailable"; exit 77; fi
  "$venv/bin/pip" install --quiet -r "$example/requirements.txt"
  cp "$example/requirements.txt" "$venv/.complete"
fi
flock -u 9
py="$venv/bin/python"
prefix="it-example-$$-$RANDOM"
gen="$work/gen"

# The producer side: what the normalizer writes, in two transactions.
"$py" - "$brokers" "$prefix" "$repo/proto" "$gen" <<'PY'
import os, sys
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
from grpc_tools import protoc
import grpc_tools
brokers, prefix, proto, gen = sys.argv[1:5]
os.makedirs(gen, exist_ok=True)
well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
assert protoc.main(["protoc", f"-I{proto}", f"-I{well_known}", f"--python_out={gen}",
                    f"{proto}/storewire/v1/event.proto"]) == 0
sys.path.insert(0, gen)
from storewire.v1 import event_pb2
topic = f"{prefix}.events.v1"
admin = AdminClient({"bootstrap.servers": brokers})
for f in admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)]).values():
    f.result(timeout=60)
p = Producer({"bootstrap.servers": brokers, "transactional.id": f"{prefix}-tx"})
p.init_transactions()
def send(event_id, commit):
    e = event_pb2.SubscriptionEvent(id=event_id, type=event_pb2.EVENT_TYPE_RENEWED,
                                    store=event_pb2.STORE_APP_STORE, app_id="demo",
                                    subscription_key="apple:com.example:1000")
    e.price.amount_micros = 9990000
    e.price.currency = "EUR"
    p.begin_transaction()
    p.produce(topic, key=e.subscription_key, value=e.SerializeToString(), headers=[
        ("ce_specversion", b"1.0"), ("ce_id", event_id.encode()),
        ("ce_source", b"storewire/apple/demo"), ("ce_type", b"storewire.subscription.renewed.v1"),
        ("ce_time", b"2026-11-22T03:00:00Z"), ("content-type", b"application/protobuf")])
    assert p.flush(30) == 0  # on the broker, so an abort hides it rather than never sending it
    (p.commit_transaction if commit else p.abort_transaction)()
send("evt-aborted", commit=False)
send("evt-committed", commit=True)
PY

"$py" "$example/consume.py" --brokers "$brokers" --group "$prefix-reader" --prefix "$prefix" \
  --from-beginning --idle-timeout 15 --gen-dir "$gen" >"$work/out.jsonl"
cat "$work/out.jsonl"

"$py" - "$work/out.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert len(lines) == 1, f"want exactly the committed event, got {len(lines)} lines"
(line,) = lines
event, ce = line["event"], line["cloudevents"]
assert event["id"] == "evt-committed" and ce["ce_id"] == event["id"], line
assert event["type"] == "EVENT_TYPE_RENEWED" and event["store"] == "STORE_APP_STORE", event
assert event["price"] == {"amountMicros": "9990000", "currency": "EUR"}, event["price"]
assert ce["ce_type"] == "storewire.subscription.renewed.v1" and ce["ce_specversion"] == "1.0", ce
assert line["content_type"] == "application/protobuf" and line["key"] == "apple:com.example:1000", line
print("example consumer: ok")
PY

#!/usr/bin/env python3
"""A downstream service subscribing to storewire's normalized events.

Reads <prefix>.events.v1 in its own consumer group with
isolation.level=read_committed (only events of committed normalizer
transactions), decodes each value as storewire.v1.SubscriptionEvent with the
published proto/storewire/v1/event.proto, and prints the CloudEvents headers
and the event in the proto3 JSON mapping, one JSON object per line.

  pip install -r deploy/examples/python-consumer/requirements.txt
  python3 deploy/examples/python-consumer/consume.py \
      --brokers localhost:9092 --group my-service [--prefix storewire] [--from-beginning] [--max N]

Bindings are generated from the .proto on first run (grpc_tools.protoc) into
./gen next to this file (--gen-dir). Offsets are committed after an event is handled: at
least once, so dedupe on the event id (= ce_id), which is stable across store
retries and replays.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", "proto"))


def load_event_class(gen):
    module = os.path.join(gen, "storewire", "v1", "event_pb2.py")
    if not os.path.exists(module):
        from grpc_tools import protoc
        import grpc_tools
        os.makedirs(gen, exist_ok=True)
        well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
        rc = protoc.main(["protoc", f"-I{PROTO_ROOT}", f"-I{well_known}", f"--python_out={gen}",
                          os.path.join(PROTO_ROOT, "storewire", "v1", "event.proto")])
        if rc != 0:
            sys.exit(f"protoc failed ({rc}) on {PROTO_ROOT}/storewire/v1/event.proto")
    sys.path.insert(0, gen)
    from storewire.v1 import event_pb2
    return event_pb2.SubscriptionEvent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brokers", default=os.environ.get("KAFKA_BROKERS", "localhost:9092"))
    parser.add_argument("--group", required=True, help="your service's own consumer group")
    parser.add_argument("--prefix", default="storewire", help="kafka.topic_prefix of the config")
    parser.add_argument("--from-beginning", action="store_true",
                        help="a new group starts at the oldest event (default: only new ones)")
    parser.add_argument("--max", type=int, default=0, help="stop after N events (0: run forever)")
    parser.add_argument("--idle-timeout", type=float, default=0,
                        help="stop after this many seconds without an event (0: never)")
    parser.add_argument("--gen-dir", default=os.path.join(HERE, "gen"),
                        help="where the Python bindings of event.proto are generated")
    args = parser.parse_args()

    from confluent_kafka import Consumer, KafkaException
    from google.protobuf.json_format import MessageToDict
    SubscriptionEvent = load_event_class(args.gen_dir)

    consumer = Consumer({
        "bootstrap.servers": args.brokers,
        "group.id": args.group,
        "isolation.level": "read_committed",
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest" if args.from_beginning else "latest",
    })
    consumer.subscribe([f"{args.prefix}.events.v1"])
    seen, idle = 0, 0.0
    try:
        while not args.max or seen < args.max:
            msg = consumer.poll(1.0)
            if msg is None:
                idle += 1.0
                if args.idle_timeout and idle >= args.idle_timeout:
                    break
                continue
            if msg.error():
                raise KafkaException(msg.error())
            idle = 0.0
            headers = {k: (v.decode() if v is not None else None) for k, v in (msg.headers() or [])}
            event = SubscriptionEvent()
            event.ParseFromString(msg.value())
            print(json.dumps({
                "partition": msg.partition(), "offset": msg.offset(),
                "key": msg.key().decode() if msg.key() else None,
                "cloudevents": {k: v for k, v in headers.items() if k.startswith("ce_")},
                "content_type": headers.get("content-type"),
                "event": MessageToDict(event),
            }), flush=True)
            # Handle the event here (dedupe on event.id), then commit.
            consumer.commit(message=msg, asynchronous=False)
            seen += 1
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()


if __name__ == "__main__":
    main()

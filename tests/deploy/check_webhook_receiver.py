#!/usr/bin/env python3
"""deploy/compose/webhook-receiver.py (the compose demo endpoint) accepts a
delivery signed per Standard Webhooks with its endpoint secret (204) and
refuses a wrong signature, a wrong secret, a stale timestamp and a missing
secret file (401). Starts the receiver on a free loopback port.

Usage: check_webhook_receiver.py REPO_ROOT
"""
import base64
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

failures = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sign(key, msg_id, ts, body):
    mac = hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def post(port, msg_id, ts, body, signature):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks", data=body, method="POST",
                                 headers={"webhook-id": msg_id, "webhook-timestamp": str(ts),
                                          "webhook-signature": signature,
                                          "content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def main(repo):
    key = os.urandom(32)
    other = os.urandom(32)
    with tempfile.TemporaryDirectory() as d:
        secret_file = os.path.join(d, "endpoint-secret")
        port = free_port()
        env = dict(os.environ, RECEIVER_PORT=str(port), RECEIVER_SECRET_FILE=secret_file)
        proc = subprocess.Popen([sys.executable, "-u", os.path.join(repo, "deploy/compose/webhook-receiver.py")],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.time() + 20
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except OSError:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.05)
            body = json.dumps({"id": "evt-1", "type": "EVENT_TYPE_RENEWED", "store": "STORE_APP_STORE",
                               "appId": "demo", "subscriptionKey": "apple:com.example:1"}).encode()
            now = int(time.time())
            cases = [("no secret file yet", "msg-0", now, sign(key, "msg-0", now, body), 401)]
            for label, msg_id, ts, sig, want in cases:
                got = post(port, msg_id, ts, body, sig)
                if got != want:
                    failures.append(f"{label}: {got}, want {want}")
            with open(secret_file, "w") as f:
                f.write("whsec_" + base64.b64encode(key).decode() + "\n")
            cases = [
                ("valid", "msg-1", now, sign(key, "msg-1", now, body), 204),
                ("valid among rotated signatures", "msg-2", now,
                 sign(other, "msg-2", now, body) + " " + sign(key, "msg-2", now, body), 204),
                ("other secret", "msg-3", now, sign(other, "msg-3", now, body), 401),
                ("signature of another id", "msg-4", now, sign(key, "msg-x", now, body), 401),
                ("stale timestamp", "msg-5", now - 3600, sign(key, "msg-5", now - 3600, body), 401),
                ("not v1", "msg-6", now, sign(key, "msg-6", now, body).replace("v1,", "v2,"), 401),
            ]
            for label, msg_id, ts, sig, want in cases:
                got = post(port, msg_id, ts, body, sig)
                if got != want:
                    failures.append(f"{label}: {got}, want {want}")
        finally:
            proc.terminate()
            out, _ = proc.communicate(timeout=10)
        if "webhook msg-1 signature=valid: EVENT_TYPE_RENEWED STORE_APP_STORE app=demo" not in out:
            failures.append(f"the receiver did not print the valid delivery:\n{out}")
    for f in failures:
        print(f"FAIL: {f}")
    print("webhook receiver: ok" if not failures else f"webhook receiver: {len(failures)} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(os.path.abspath(sys.argv[1])))

#!/usr/bin/env python3
"""A demo webhook endpoint for docker compose: prints each delivery and checks
its Standard Webhooks signature (v1 = base64 HMAC-SHA256 over
"{webhook-id}.{webhook-timestamp}.{body}" with the endpoint's whsec_ secret).

Environment: RECEIVER_PORT (default 8000), RECEIVER_SECRET_FILE (a file holding
the whsec_ secret; written by register-demo-endpoint.sh). Answers 204 to a
delivery with a valid signature, 401 otherwise; GET /healthz answers 200.
Standard library only.
"""
import base64
import hashlib
import hmac
import json
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SECONDS = 5 * 60


def read_secret():
    path = os.environ.get("RECEIVER_SECRET_FILE", "")
    try:
        with open(path, encoding="ascii") as f:
            secret = f.read().strip()
    except OSError:
        return None
    if not secret.startswith("whsec_"):
        return None
    return base64.b64decode(secret[len("whsec_"):])


def signature_valid(key, msg_id, timestamp, body, header):
    try:
        if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
            return False
    except ValueError:
        return False
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for candidate in header.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return True
    return False


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/healthz" else 404)
        self.end_headers()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        msg_id = self.headers.get("webhook-id", "")
        timestamp = self.headers.get("webhook-timestamp", "")
        key = read_secret()
        valid = key is not None and signature_valid(
            key, msg_id, timestamp, body, self.headers.get("webhook-signature", ""))
        try:
            event = json.loads(body)
            summary = f"{event.get('type')} {event.get('store')} app={event.get('appId')} " \
                      f"subscription={event.get('subscriptionKey')}"
        except ValueError:
            summary = f"{len(body)} bytes (not JSON)"
        print(f"webhook {msg_id} signature={'valid' if valid else 'INVALID'}: {summary}",
              flush=True)
        self.send_response(204 if valid else 401)
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(os.environ.get("RECEIVER_PORT", "8000"))
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()

#!/bin/bash
# docker compose one-shot: registers URL as a webhook endpoint with
# `storewirectl endpoints add` (CONTRACT section 6) and writes the endpoint's
# whsec_ secret to SECRET_FILE for the demo receiver. Re-runs reuse the
# endpoint already registered for URL.
#
#   register-demo-endpoint.sh URL SECRET_FILE   (config: $STOREWIRE_CONFIG)
set -euo pipefail
url=${1:?usage: register-demo-endpoint.sh URL SECRET_FILE}
secret_file=${2:?usage: register-demo-endpoint.sh URL SECRET_FILE}
if [ -s "$secret_file" ]; then
  echo "endpoint for $url already registered" >&2
  exit 0
fi
out=$(storewirectl endpoints add --url "$url" --config "${STOREWIRE_CONFIG:-/etc/storewire/storewire.yaml}")
echo "$out"
secret=$(grep -o 'whsec_[A-Za-z0-9+/=]*' <<<"$out" | head -n1 || true)
if [ -z "$secret" ]; then
  echo "storewirectl printed no whsec_ secret" >&2
  exit 1
fi
umask 077
printf '%s\n' "$secret" >"$secret_file.tmp"
mv "$secret_file.tmp" "$secret_file"

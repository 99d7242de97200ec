#!/usr/bin/env bash
# Apple verify + decode throughput, all in one run on one vector:
#   1. storewire (apple_verify_benchmark: cold, warm, bare OpenSSL P-256 verify),
#   2. Apple's own Node library @apple/app-store-server-library (pinned in
#      tests/bench/apple-node/package-lock.json), SignedDataVerifier offline
#      with the test root, on the vector the benchmark exported,
#   3. `openssl speed -seconds 3 ecdsap256` (the P-256 verify rate),
# then the ratios against the targets (warm >= 70% of OpenSSL's P-256 verify
# rate, >= 10x the Node library).
#
#   tests/bench/apple_node_compare.sh [BUILD_DIR]      (default: build)
#
# The npm packages are installed once into a cache
# (STOREWIRE_NODE_CACHE, default ~/.cache/storewire/apple-node) with `npm ci`.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$repo/build}
bench=$build/bench/apple_verify_benchmark
cache=${STOREWIRE_NODE_CACHE:-$HOME/.cache/storewire/apple-node}
seconds=${STOREWIRE_COMPARE_SECONDS:-3}

if [[ ! -x $bench ]]; then
  echo "missing $bench: cmake -B $build -DSTOREWIRE_BENCH=ON && ninja -C $build apple_verify_benchmark" >&2
  exit 2
fi
for tool in node npm openssl; do
  command -v "$tool" >/dev/null || { echo "needs $tool on PATH" >&2; exit 2; }
done

mkdir -p "$cache"
if ! cmp -s "$repo/tests/bench/apple-node/package-lock.json" "$cache/package-lock.json" ||
   [[ ! -d $cache/node_modules/@apple/app-store-server-library ]]; then
  cp "$repo/tests/bench/apple-node/package.json" "$repo/tests/bench/apple-node/package-lock.json" "$cache/"
  (cd "$cache" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== storewire: apple_verify_benchmark (single thread)" >&2
STOREWIRE_APPLE_BENCH_EXPORT=$work "$bench" --benchmark_min_time=$seconds \
  --benchmark_format=json --benchmark_out="$work/bench.json" --benchmark_out_format=json \
  >/dev/null

echo "== Apple's Node library on the same vector" >&2
NODE_PATH=$cache/node_modules node "$repo/tests/bench/apple-node/verify_loop.js" "$work" \
  "$seconds" >"$work/node.json"

echo "== openssl speed -seconds 3 ecdsap256" >&2
openssl speed -seconds 3 ecdsap256 2>/dev/null >"$work/speed.txt"

python3 - "$work" <<'PY'
import json, re, sys
work = sys.argv[1]
bench = {b["name"]: b for b in json.load(open(f"{work}/bench.json"))["benchmarks"]}
def per_s(name):
    b = bench[name]
    unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
    return 1.0 / (b["cpu_time"] * unit)
cold, warm = per_s("BM_AppleNormalizeCold"), per_s("BM_AppleNormalizeWarm")
bare = per_s("BM_OpenSslP256VerifyBaseline")
node = json.load(open(f"{work}/node.json"))
speed = open(f"{work}/speed.txt").read()
m = re.search(r"256 bits ecdsa \(nistp256\)\s+\S+s\s+\S+s\s+(\S+)\s+(\S+)", speed)
ossl_verify = float(m.group(2))
print(f"{'what':58s} {'notifications/s':>16s}")
print(f"{'storewire warm (outer + 2 nested, verify+decode+map)':58s} {warm:16.0f}")
print(f"{'storewire cold (no chain cache)':58s} {cold:16.0f}")
print(f"{'bare EVP_DigestVerify P-256 in the benchmark':58s} {bare:16.0f}")
print(f"{'openssl speed ecdsap256 verify/s':58s} {ossl_verify:16.0f}")
print(f"{'Node SignedDataVerifier, outer only':58s} {node['outer_per_s']:16.0f}")
print(f"{'Node SignedDataVerifier, outer + transaction + renewal':58s} {node['full_per_s']:16.0f}")
print()
print(f"warm / openssl verify rate: {100 * warm / ossl_verify:.0f}%   (target >= 70%)")
print(f"warm / bare verify in the same process: {100 * warm / bare:.0f}%   (steadier: same binary, interleaved)")
print(f"warm / Node full notification: {warm / node['full_per_s']:.1f}x   (target >= 10x)")
print(f"warm / Node outer only: {warm / node['outer_per_s']:.1f}x")
PY

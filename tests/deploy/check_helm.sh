#!/usr/bin/env bash
# The Helm chart deploy/helm/storewire, checked offline:
#   1. `helm lint --strict` with the default values and every values file in
#      tests/deploy/helm-values/ (values.schema.json applies);
#   2. `helm template` of each, validated by kubeconform -strict against the
#      Kubernetes schemas (install-tools) and the vendored CRD schemas
#      (crd-schemas/: KEDA ScaledObject, Strimzi KafkaTopic, ServiceMonitor);
#   3. check_rendered.py: what each rendering must contain (ports, gRPC
#      probes, Secret references only, KEDA triggers, HPA fallback, ...);
#   4. every file in tests/deploy/helm-values-invalid/ is refused by the schema.
#   5. with BIN_DIR, each rendered storewire.yaml loads with storewire's own
#      config parser (storewirectl).
# Usage: check_helm.sh REPO_ROOT WORK_DIR [BIN_DIR]   (exit 77: tools unavailable)
set -euo pipefail
repo=$1
work=$2
ctl=""
[ -n "${3:-}" ] && [ -x "$3/storewirectl" ] && ctl="$3/storewirectl"
here="$repo/tests/deploy"
chart="$repo/deploy/helm/storewire"
tools=$("$here/install-tools")
helm="$tools/bin/helm"
kubeconform="$tools/bin/kubeconform"
# The Kubernetes version of the schemas install-tools fetched; rendering and
# linting assume the same one.
K8S_VERSION=$(sed -n 's/^K8S_VERSION=//p' "$here/install-tools")
schemas=$(ls -d "$tools/k8s-schemas/v$K8S_VERSION-"*/ | tail -n1)
mkdir -p "$work"
export HELM_CACHE_HOME="$work/helm-cache" HELM_CONFIG_HOME="$work/helm-config" HELM_DATA_HOME="$work/helm-data"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

variants=(default "$here"/helm-values/*.yaml)
for v in "${variants[@]}"; do
  name=$(basename "$v" .yaml)
  args=()
  [ "$v" != default ] && args=(-f "$v")
  if ! "$helm" lint --strict --kube-version "$K8S_VERSION" "$chart" "${args[@]}" >"$work/$name.lint" 2>&1; then
    fail "helm lint --strict ($name):"; cat "$work/$name.lint"
    continue
  fi
  if ! "$helm" template storewire "$chart" --namespace storewire --kube-version "$K8S_VERSION" "${args[@]}" >"$work/$name.yaml" 2>"$work/$name.err"; then
    fail "helm template ($name):"; cat "$work/$name.err"
    continue
  fi
  if ! "$kubeconform" -strict -summary -output text \
      -schema-location "$schemas{{ .ResourceKind }}{{ .KindSuffix }}.json" \
      -schema-location "$here/crd-schemas/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
      "$work/$name.yaml"; then
    fail "kubeconform ($name)"
  fi
  if ! /usr/bin/python3 "$here/check_rendered.py" "$name" "$work/$name.yaml" $ctl; then
    fail "rendered manifests ($name)"
  fi
done

# The schemas must be able to say no: a typo in a Deployment, a PDB and the
# ScaledObject has to be caught.
if [ -f "$work/default.yaml" ]; then
  sed 's/revisionHistoryLimit:/revisionHistoryLimitt:/; s/pollingInterval:/pollingIntervall:/; s/minAvailable: 1/minAvailable: [1]/' \
    "$work/default.yaml" >"$work/mutated.yaml"
  invalid=$("$kubeconform" -strict -summary -output text \
      -schema-location "$schemas{{ .ResourceKind }}{{ .KindSuffix }}.json" \
      -schema-location "$here/crd-schemas/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
      "$work/mutated.yaml" 2>&1 | sed -n 's/.*Invalid: \([0-9]*\).*/\1/p' || true)
  # 4 Deployments + the PDBs with minAvailable (ingress) + the ScaledObject.
  if [ "${invalid:-0}" -lt 6 ]; then fail "kubeconform accepted mutated manifests (invalid: ${invalid:-0}, want >= 6)"
  else echo "mutated manifests refused: $invalid invalid"; fi
fi

for v in "$here"/helm-values-invalid/*.yaml; do
  if "$helm" lint --strict --kube-version "$K8S_VERSION" "$chart" -f "$v" >"$work/invalid.lint" 2>&1; then
    fail "values.schema.json accepts $(basename "$v")"
  elif ! grep -q "values don't meet the specifications of the schema" "$work/invalid.lint"; then
    fail "$(basename "$v") is refused, but not by the schema:"; cat "$work/invalid.lint"
  else
    echo "refused as expected: $(basename "$v")"
  fi
done

if [ "$failures" -ne 0 ]; then
  echo "helm: $failures problem(s)"
  exit 1
fi
echo "helm: ok (${#variants[@]} value sets rendered and validated)"

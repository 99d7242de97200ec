#!/usr/bin/env python3
"""What `helm template` of deploy/helm/storewire must contain, per values set
(tests/deploy/helm-values/<name>.yaml; "default" = the chart's values).

Usage: check_rendered.py NAME RENDERED.yaml [STOREWIRECTL]   (exit 0 ok, 1 with FAIL lines)
With STOREWIRECTL, the ConfigMap's storewire.yaml is also loaded by
storewire's own config parser (`storewirectl decode`, exit 3 = loaded).
"""
import os
import subprocess
import sys
import tempfile

import yaml

# CONTRACT section 3.
PORTS = {"ingress": (8080, 9101, 7001), "normalizer": (None, 9102, 7002),
         "webhooks": (None, 9103, 7003), "metrics": (None, 9104, 7004)}
STORES = ("apple", "google", "huawei", "amazon")

failures = []


def expect(cond, msg):
    if not cond:
        failures.append(msg)


def by_kind(docs, kind):
    return {d["metadata"]["name"]: d for d in docs if d and d.get("kind") == kind}


def component(obj):
    return obj["metadata"]["labels"].get("app.kubernetes.io/component")


def check_deployment(name, dep, config, secret_mounts, autoscaled):
    http, admin, control = PORTS[name]
    pod = dep["spec"]["template"]["spec"]
    (c,) = pod["containers"]
    expect(c["args"][0] == f"storewire-{name}", f"{name}: runs {c['args'][0]}")
    expect(c["args"][1:3] == ["--config", "/etc/storewire/storewire.yaml"], f"{name}: --config")
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    want = {"admin": admin, "grpc": control} | ({"http": http} if http else {})
    expect(ports == want, f"{name}: container ports {ports}, CONTRACT says {want}")
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        grpc = (c.get(probe) or {}).get("grpc") or {}
        expect(grpc.get("port") == control and not grpc.get("service"),
               f"{name}: {probe} must be a native gRPC probe of grpc.health.v1 on {control}")
    env = {e["name"]: e for e in c.get("env", [])}
    expect(env.get("STOREWIRE_INSTANCE_ID", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
           == "metadata.name", f"{name}: STOREWIRE_INSTANCE_ID must be the pod name")
    expect(pod["securityContext"].get("runAsNonRoot") is True, f"{name}: runAsNonRoot")
    expect(c["securityContext"].get("readOnlyRootFilesystem") is True, f"{name}: read-only root")
    expect(c["resources"].get("requests", {}).get("cpu") and c["resources"]["requests"].get("memory"),
           f"{name}: resource requests")
    mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    expect(volumes.get(mounts.get("/etc/storewire"), {}).get("configMap"), f"{name}: config not mounted")
    for s in secret_mounts:
        vol = volumes.get(mounts.get(s["mountPath"]), {})
        expect(vol.get("secret", {}).get("secretName") == s["secretName"],
               f"{name}: Secret {s['secretName']} not mounted at {s['mountPath']}")
    expect(("replicas" in dep["spec"]) != autoscaled,
           f"{name}: replicas must be {'left to the autoscaler' if autoscaled else 'set'}")
    expect(dep["spec"]["template"]["metadata"]["annotations"].get("checksum/config"),
           f"{name}: pods must roll when the config changes")


def check_config_loads(ctl, text, config, secret_paths):
    with tempfile.TemporaryDirectory() as d:
        path, body = os.path.join(d, "storewire.yaml"), os.path.join(d, "body.json")
        with open(path, "w") as f:
            f.write(text)
        with open(body, "w") as f:
            f.write("{}")
        app = (config.get("apps") or [{"id": "demo"}])[0]["id"]
        r = subprocess.run([ctl, "decode", "--store", "apple", "--app", app, "--config", path, body],
                           capture_output=True, text=True)
        # Files under a Secret's mount path exist only in the cluster.
        secret_only = any(p in r.stderr for p in secret_paths)
        expect(r.returncode == 3 or secret_only,
               f"the ConfigMap's storewire.yaml does not load (exit {r.returncode}): {r.stderr.strip()}")


def main(variant, path, ctl=""):
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    deployments = {component(d): d for d in by_kind(docs, "Deployment").values()}
    services = {component(d): d for d in by_kind(docs, "Service").values()}
    pdbs = {component(d): d for d in by_kind(docs, "PodDisruptionBudget").values()}
    scaled = list(by_kind(docs, "ScaledObject").values())
    hpas = list(by_kind(docs, "HorizontalPodAutoscaler").values())
    topics = list(by_kind(docs, "KafkaTopic").values())
    monitors = list(by_kind(docs, "ServiceMonitor").values())
    (cm,) = by_kind(docs, "ConfigMap").values()
    config = yaml.safe_load(cm["data"]["storewire.yaml"])

    expect(not by_kind(docs, "Secret"), "the chart must reference Secrets, never render them")
    if ctl:
        check_config_loads(ctl, cm["data"]["storewire.yaml"], config,
                           ["/secrets/play"] if variant == "production" else [])
    kafka = config["kafka"]
    expect(kafka["brokers"] != "embedded" and kafka["partitions"] >= 1, f"config kafka: {kafka}")
    enabled = set(PORTS) - ({"metrics"} if variant == "operators" else set())
    expect(set(deployments) == enabled, f"Deployments {sorted(deployments)}, want {sorted(enabled)}")
    expect(set(services) == enabled, f"Services {sorted(services)}, want {sorted(enabled)}")
    secret_mounts = [{"secretName": "storewire-play", "mountPath": "/secrets/play"}] \
        if variant == "production" else []
    for name in enabled:
        http, admin, control = PORTS[name]
        section = config.get(name, {})
        expect(section.get("admin_port") == admin and section.get("control_port") == control
               and section.get("http_port") == http, f"config {name}: ports {section}")
        check_deployment(name, deployments[name], config, secret_mounts, autoscaled=(name == "normalizer"))
        svc_ports = {p["name"]: p["port"] for p in services[name]["spec"]["ports"]}
        expect(svc_ports.get("admin") == admin and svc_ports.get("grpc") == control,
               f"Service {name}: ports {svc_ports}")
    for name in ("ingress", "normalizer", "webhooks"):
        expect(name in pdbs, f"{name}: no PodDisruptionBudget")

    prefix = kafka["topic_prefix"]
    raw_topics = {f"{prefix}.raw.{s}" for s in STORES}
    group = config.get("normalizer", {}).get("group_id", "storewire-normalizer")
    if variant == "no-keda":
        expect(not scaled and len(hpas) == 1, "without KEDA: one HPA, no ScaledObject")
        if hpas:
            spec = hpas[0]["spec"]
            expect(spec["scaleTargetRef"]["name"] == deployments["normalizer"]["metadata"]["name"],
                   "HPA must target the normalizer")
            expect(spec["maxReplicas"] <= kafka["partitions"],
                   f"HPA maxReplicas {spec['maxReplicas']} above the {kafka['partitions']} partitions")
    else:
        expect(len(scaled) == 1 and not hpas, "with KEDA: one ScaledObject, no HPA")
        if scaled:
            spec = scaled[0]["spec"]
            expect(spec["scaleTargetRef"]["name"] == deployments["normalizer"]["metadata"]["name"],
                   "ScaledObject must target the normalizer")
            triggers = spec["triggers"]
            expect({t["metadata"]["topic"] for t in triggers} == raw_topics,
                   f"KEDA triggers on {[t['metadata']['topic'] for t in triggers]}, want the raw topics")
            for t in triggers:
                m = t["metadata"]
                expect(t["type"] == "kafka" and m["consumerGroup"] == group
                       and m["bootstrapServers"] == kafka["brokers"] and m["allowIdleConsumers"] == "false",
                       f"KEDA trigger {m}")
                if variant == "production":
                    expect(t.get("authenticationRef", {}).get("name") == "kafka-sasl", "KEDA auth ref")
    if variant == "operators":
        names = {t["spec"]["topicName"]: t for t in topics}
        single = {f"{prefix}.webhooks.endpoints", f"{prefix}.webhooks.dlq"}
        want = raw_topics | single | {f"{prefix}.events.v1", f"{prefix}.rejected", f"{prefix}.subscriptions.state"}
        expect(set(names) == want, f"KafkaTopics {sorted(names)}")
        for t in topics:
            name = t["spec"]["topicName"]
            expect(t["metadata"]["labels"].get("strimzi.io/cluster") == "prod", "strimzi.io/cluster label")
            expect(t["spec"]["partitions"] == (1 if name in single else kafka["partitions"]), f"{name} partitions")
        for name in single:
            expect(names.get(name, {"spec": {"config": {}}})["spec"]["config"].get("cleanup.policy") == "compact",
                   f"{name} must be compacted")
        state = names.get(f"{prefix}.subscriptions.state", {"spec": {"config": {}}})
        expect(state["spec"]["config"].get("cleanup.policy") == "compact", "the state topic must be compacted")
        expect(len(monitors) == 1 and monitors[0]["spec"]["endpoints"][0]["port"] == "admin"
               and monitors[0]["spec"]["endpoints"][0]["path"] == "/metrics", "ServiceMonitor on admin /metrics")
    else:
        expect(not topics and not monitors, "KafkaTopic/ServiceMonitor only when enabled")

    for f in failures:
        print(f"FAIL [{variant}]: {f}")
    print(f"rendered [{variant}]: {len(docs)} objects, {'ok' if not failures else 'FAILED'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))

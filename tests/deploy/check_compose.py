#!/usr/bin/env python3
"""Static checks of docker-compose.yml (no Docker engine needed).

1. The file is valid Compose: `docker-compose config -q` (Debian's
   docker-compose validates against the Compose specification's JSON schema)
   and, independently, jsonschema against that same compose_spec.json.
2. Everything it names exists in the project:
   - each storewire service runs a binary built by services/*/CMakeLists.txt
     (a CONTRACT binary not written yet is reported as pending, and fails with
     STOREWIRE_DEPLOY_STRICT=1);
   - its published ports are its CONTRACT section 3 ports, equal to the ports
     in the mounted config, and its healthcheck probes its admin port;
   - every bind-mounted file exists, every --config points at a mounted file;
   - every environment variable is read by the code or script it is given to;
   - depends_on targets exist, have a healthcheck when waited on for health,
     and run once when waited on for completion;
   - the topic-creation step takes its partition count from the config.

   - the mounted config loads with storewire's own config parser, laid out as
     the container sees its mounts (storewirectl decode; needs BIN_DIR).

Usage: check_compose.py REPO_ROOT [BIN_DIR]   (exit 0 ok, 1 failures, 77 tools missing)
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import jsonschema
    import yaml
except ImportError as e:  # tests/run installs python3-yaml and docker-compose
    print(f"SKIP: {e}; run deploy/install-deps --test", file=sys.stderr)
    sys.exit(77)

# CONTRACT section 3: service -> (binary, store/HTTP port, admin port, gRPC control port)
CONTRACT_SERVICES = {
    "ingress": ("storewire-ingress", 8080, 9101, 7001),
    "normalizer": ("storewire-normalizer", None, 9102, 7002),
    "webhooks": ("storewire-webhooks", None, 9103, 7003),
    "metrics": ("storewire-metrics", None, 9104, 7004),
}
CONTRACT_BINARIES = {b for b, *_ in CONTRACT_SERVICES.values()} | {"storewirectl"}
STOREWIRE_IMAGE = "storewire:local"
COMPOSE_SCHEMA = "/usr/lib/python3/dist-packages/compose/config/compose_spec.json"

failures = []
notes = []


def fail(msg):
    failures.append(msg)


def built_binaries(repo):
    names = set()
    services = os.path.join(repo, "services")
    for d in sorted(os.listdir(services)):
        path = os.path.join(services, d, "CMakeLists.txt")
        if os.path.exists(path):
            names |= set(re.findall(r"storewire_binary\(\s*NAME\s+([\w-]+)", open(path).read()))
    return names


def source_text(repo, roots, exts=(".cc", ".h", ".sh", ".py", "")):
    chunks = []
    for root in roots:
        top = os.path.join(repo, root)
        if os.path.isfile(top):
            chunks.append(open(top, errors="replace").read())
            continue
        for dirpath, _, files in os.walk(top):
            for f in files:
                if os.path.splitext(f)[1] in exts:
                    chunks.append(open(os.path.join(dirpath, f), errors="replace").read())
    return "\n".join(chunks)


def as_list(command):
    if command is None:
        return []
    return command if isinstance(command, list) else command.split()


def env_names(service):
    env = service.get("environment") or {}
    if isinstance(env, list):
        return [e.split("=", 1)[0] for e in env]
    return list(env.keys())


def bind_mounts(service):
    """(source, target) of every bind mount ("./x:/y[:ro]" or long syntax)."""
    mounts = []
    for v in service.get("volumes") or []:
        if isinstance(v, str):
            parts = v.split(":")
            if parts[0].startswith((".", "/")):
                mounts.append((parts[0], parts[1]))
        elif v.get("type") == "bind":
            mounts.append((v["source"], v["target"]))
    return mounts


def published_ports(service):
    ports = []
    for p in service.get("ports") or []:
        if isinstance(p, dict):
            ports.append((int(p["published"]), int(p["target"])))
        else:
            host, _, target = str(p).rpartition(":")
            ports.append((int(host.rpartition(":")[2]), int(target.split("/")[0])))
    return ports


def check_schema(repo, compose_path):
    if not os.path.exists("/usr/bin/docker-compose"):
        print("SKIP: /usr/bin/docker-compose missing; run deploy/install-deps --test", file=sys.stderr)
        sys.exit(77)
    r = subprocess.run(["/usr/bin/docker-compose", "-f", compose_path, "config", "-q"],
                       cwd=repo, capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"docker-compose config: {r.stderr.strip()}")
    with open(COMPOSE_SCHEMA) as f:
        schema = json.load(f)
    with open(compose_path) as f:
        doc = yaml.safe_load(f)
    for error in jsonschema.Draft7Validator(schema).iter_errors(doc):
        fail(f"compose spec schema: {'/'.join(map(str, error.path))}: {error.message}")
    return doc


def check_storewire_service(repo, name, svc, binaries, code):
    command = as_list(svc.get("command"))
    if svc.get("entrypoint"):
        return  # a one-shot helper script; checked as a script below
    if not command:
        fail(f"{name}: no command (the image serves every binary; the command selects one)")
        return
    binary = command[0]
    if binary not in binaries:
        if binary in CONTRACT_BINARIES:
            notes.append(f"pending: {name} runs {binary}, a CONTRACT binary not in "
                         "services/*/CMakeLists.txt yet")
            if os.environ.get("STOREWIRE_DEPLOY_STRICT") == "1":
                fail(f"{name}: {binary} is not built by services/*/CMakeLists.txt")
        else:
            fail(f"{name}: {binary} is neither built by services/*/CMakeLists.txt nor in CONTRACT")
    if name not in CONTRACT_SERVICES:
        return
    want_binary, http, admin, control = CONTRACT_SERVICES[name]
    if binary != want_binary:
        fail(f"{name}: runs {binary}, CONTRACT says {want_binary}")
    want_ports = {p for p in (http, admin, control) if p}
    ports = published_ports(svc)
    if {p for p, _ in ports} != want_ports or any(p != t for p, t in ports):
        fail(f"{name}: ports {sorted(ports)}, CONTRACT section 3 says {sorted(want_ports)} (host = container)")
    test = as_list((svc.get("healthcheck") or {}).get("test"))
    if str(admin) not in test:
        fail(f"{name}: healthcheck {test} does not probe admin port {admin}")
    if "--config" in command:
        config_target = command[command.index("--config") + 1]
        mounts = dict((t, s) for s, t in bind_mounts(svc))
        if config_target not in mounts:
            fail(f"{name}: --config {config_target} is not a mounted file")
        else:
            check_config_ports(repo, name, os.path.join(repo, mounts[config_target]), http, admin, control)


def check_config_ports(repo, name, path, http, admin, control):
    with open(path) as f:
        config = yaml.safe_load(f)
    section = config.get(name) or {}
    for key, want in (("http_port", http), ("admin_port", admin), ("control_port", control)):
        if want and section.get(key, want) != want:
            fail(f"{os.path.relpath(path, repo)}: {name}.{key} = {section.get(key)}, compose publishes {want}")


def check_env(repo, name, svc, storewire_code):
    mounted = "\n".join(open(os.path.join(repo, s), errors="replace").read()
                        for s, _ in bind_mounts(svc) if os.path.isfile(os.path.join(repo, s)))
    image = svc.get("image", "")
    for var in env_names(svc):
        if image == STOREWIRE_IMAGE and var in storewire_code:
            continue
        if var in mounted:
            continue
        if image.startswith("apache/kafka") and var.startswith("KAFKA_") and not svc.get("command"):
            continue  # the apache/kafka image maps KAFKA_* to server.properties
        fail(f"{name}: environment variable {var} is read by neither its binary nor a mounted script")


def check_topics_step(repo, doc):
    svc = doc["services"].get("topics")
    if not svc:
        fail("no one-shot 'topics' service")
        return
    command = as_list(svc.get("command"))
    mounts = dict((t, s) for s, t in bind_mounts(svc))
    script = next((mounts[a] for a in command if a in mounts and a.endswith(".sh")), None)
    config = next((mounts[a] for a in command if a in mounts and a.endswith(".yaml")), None)
    if not script or not config:
        fail(f"topics: command {command} must run a mounted script on the mounted config")
        return
    with open(os.path.join(repo, config)) as f:
        kafka = yaml.safe_load(f)["kafka"]
    out = subprocess.run(["bash", os.path.join(repo, script), os.path.join(repo, config)],
                         env=dict(os.environ, DRY_RUN="1"), capture_output=True, text=True)
    if out.returncode != 0:
        fail(f"topics: dry run failed: {out.stderr}")
        return
    lines = out.stdout.splitlines()
    prefix = kafka.get("topic_prefix", "storewire")
    for suffix in ("raw.apple", "raw.google", "raw.huawei", "raw.amazon", "events.v1", "rejected"):
        line = next((l for l in lines if f"--topic {prefix}.{suffix} " in l), None)
        if line is None:
            fail(f"topics: {prefix}.{suffix} is not created")
        elif f"--partitions {kafka['partitions']} " not in line or \
                f"--replication-factor {kafka.get('replication_factor', 1)} " not in line:
            fail(f"topics: {prefix}.{suffix} not created with the config's partitions/replication: {line}")
    state = next((l for l in lines if f"--topic {prefix}.subscriptions.state " in l), "")
    if "cleanup.policy=compact" not in state:
        fail("topics: the subscriptions.state topic must be compacted")
    # libs/webhooks WebhookTopics: registry and DLQ compacted, one partition.
    for suffix in ("webhooks.endpoints", "webhooks.dlq"):
        line = next((l for l in lines if f"--topic {prefix}.{suffix} " in l), "")
        if "--partitions 1 " not in line or "cleanup.policy=compact" not in line:
            fail(f"topics: {prefix}.{suffix} must have one partition and be compacted: {line!r}")


def check_config_loads(repo, bin_dir, name, svc):
    """Mirrors the service's bind mounts under a temporary root and loads the
    config there with storewirectl (exit 3 = config fine, notification
    rejected; 2 = the config or a file it names is wrong)."""
    ctl = os.path.join(bin_dir, "storewirectl") if bin_dir else ""
    if not os.path.exists(ctl):
        notes.append(f"note: no storewirectl in '{bin_dir}'; {name}'s config was not loaded")
        return
    command = as_list(svc.get("command"))
    if "--config" not in command:
        return
    with tempfile.TemporaryDirectory() as root:
        for source, target in bind_mounts(svc):
            dest = root + target
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            src = os.path.join(repo, source)
            (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, dest)
        body = os.path.join(root, "empty.json")
        with open(body, "w") as f:
            f.write("{}")
        config = root + command[command.index("--config") + 1]
        r = subprocess.run([ctl, "decode", "--store", "apple", "--app", "demo", "--config", config, body],
                           capture_output=True, text=True)
        if r.returncode != 3:
            fail(f"{name}: its mounted config does not load (storewirectl exit {r.returncode}): "
                 f"{r.stderr.strip().replace(root, '')}")


def main():
    repo = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
    bin_dir = sys.argv[2] if len(sys.argv) > 2 else ""
    compose_path = os.path.join(repo, "docker-compose.yml")
    doc = check_schema(repo, compose_path)
    services = doc.get("services") or {}
    binaries = built_binaries(repo)
    storewire_code = source_text(repo, ["libs", "services", "deploy/docker"])

    for name in CONTRACT_SERVICES:
        if name not in services:
            fail(f"service {name} (CONTRACT section 3) is missing")
    if "kafka" not in services or not str(services["kafka"].get("image", "")).startswith("apache/kafka:"):
        fail("kafka must be the official apache/kafka image")
    elif "broker,controller" not in str(services["kafka"].get("environment", {}).get("KAFKA_PROCESS_ROLES")):
        fail("kafka must run KRaft in combined mode (KAFKA_PROCESS_ROLES=broker,controller)")

    for name, svc in services.items():
        for source, target in bind_mounts(svc):
            if not os.path.exists(os.path.join(repo, source)):
                fail(f"{name}: mounted {source} does not exist")
        if svc.get("image") == STOREWIRE_IMAGE:
            build = svc.get("build") or {}
            if not os.path.exists(os.path.join(repo, build.get("context", "."), build.get("dockerfile", "Dockerfile"))):
                fail(f"{name}: Dockerfile {build} does not exist")
            check_storewire_service(repo, name, svc, binaries, storewire_code)
            check_config_loads(repo, bin_dir, name, svc)
        check_env(repo, name, svc, storewire_code)
        for dep, cond in (svc.get("depends_on") or {}).items():
            target = services.get(dep)
            condition = cond.get("condition") if isinstance(cond, dict) else "service_started"
            if target is None:
                fail(f"{name}: depends on unknown service {dep}")
            elif condition == "service_healthy" and not target.get("healthcheck"):
                fail(f"{name}: waits for {dep} to be healthy, but {dep} has no healthcheck")
            elif condition == "service_completed_successfully" and target.get("restart", "no") != "no":
                fail(f"{name}: waits for {dep} to complete, but {dep} restarts")
        if name in CONTRACT_SERVICES and not any(
                (c.get("condition") if isinstance(c, dict) else "") in ("service_healthy", "service_completed_successfully")
                for c in (svc.get("depends_on") or {}).values()):
            fail(f"{name}: depends_on must wait on health or completion, not just start")
    check_topics_step(repo, doc)

    for n in notes:
        print(n)
    for f in failures:
        print(f"FAIL: {f}")
    print("compose: ok" if not failures else f"compose: {len(failures)} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

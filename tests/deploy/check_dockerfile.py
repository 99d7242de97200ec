#!/usr/bin/env python3
"""Static checks of deploy/Dockerfile (no Docker engine needed):

- a Debian bookworm build stage that runs deploy/install-deps (the same
  packages as a local build) and a bookworm-slim runtime stage;
- a non-root USER, a HEALTHCHECK, every COPY source present in the repo;
- the runtime stage installs exactly the packages that own the shared
  libraries the built binaries link directly (readelf -d NEEDED, dpkg -S),
  plus ca-certificates: nothing missing, nothing extra. Needs the binaries
  (BIN_DIR); without them only the first checks run.

Usage: check_dockerfile.py REPO_ROOT [BIN_DIR]   (exit 0 ok, 1 failures)
"""
import glob
import os
import re
import shlex
import subprocess
import sys

# In debian:bookworm-slim already (essential or required by apt).
BASE_PACKAGES = {"libc6", "libgcc-s1", "libstdc++6"}
EXTRA_ALLOWED = {"ca-certificates"}


def stages(text):
    """[(from_line, [instructions])] with continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word = line.split()[0].upper()
        if word == "FROM":
            result.append((line, []))
        elif result:
            result[-1][1].append(line)
    return result


def needed_packages(bin_dir):
    libs = set()
    for binary in glob.glob(os.path.join(bin_dir, "storewire*")):
        out = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True).stdout
        libs |= set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out))
    cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    packages = {}
    for lib in sorted(libs):
        m = re.search(rf"^\s*{re.escape(lib)} \(.*\) => (\S+)$", cache, re.M)
        if not m:
            packages[lib] = None
            continue
        path = os.path.realpath(m.group(1))
        owner = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True).stdout
        if not owner:  # usrmerge: dpkg knows the /lib path
            owner = subprocess.run(["dpkg", "-S", path.replace("/usr/lib/", "/lib/", 1)],
                                   capture_output=True, text=True).stdout
        packages[lib] = owner.split(":")[0] if owner else None
    return packages


def main():
    repo = os.path.abspath(sys.argv[1])
    bin_dir = sys.argv[2] if len(sys.argv) > 2 else ""
    failures = []
    text = open(os.path.join(repo, "deploy/Dockerfile")).read()
    st = stages(text)
    if len(st) < 2:
        print("FAIL: want a build stage and a runtime stage")
        return 1
    (build_from, build), (run_from, runtime) = st[0], st[-1]
    if not re.match(r"FROM debian:bookworm(@\S+)?\s+AS\s+\w+", build_from, re.I):
        failures.append(f"build stage must be debian:bookworm: {build_from}")
    if not re.match(r"FROM debian:bookworm-slim", run_from, re.I):
        failures.append(f"runtime stage must be debian:bookworm-slim: {run_from}")
    if not any("deploy/install-deps" in i and i.upper().startswith("RUN") for i in build):
        failures.append("build stage must run deploy/install-deps")
    users = [i.split()[1] for i in runtime if i.upper().startswith("USER ")]
    if not users or users[-1].split(":")[0] in ("root", "0"):
        failures.append(f"runtime must run as a non-root USER, got {users}")
    if not any(i.upper().startswith("HEALTHCHECK") for i in runtime):
        failures.append("runtime has no HEALTHCHECK")
    for _, instructions in st:
        for i in instructions:
            if i.upper().startswith("COPY") and "--from" not in i:
                for src in shlex.split(i)[1:-1]:
                    if not os.path.exists(os.path.join(repo, src)):
                        failures.append(f"COPY source {src} does not exist")
    installs = [i for i in runtime if "apt-get install" in i]
    listed = set()
    for i in installs:
        words = i.split("apt-get install", 1)[1].split("&&")[0].split()
        listed |= {w for w in words if not w.startswith("-")}

    if bin_dir and glob.glob(os.path.join(bin_dir, "storewire*")):
        owners = needed_packages(bin_dir)
        unknown = [lib for lib, pkg in owners.items() if pkg is None]
        if unknown:
            failures.append(f"no Debian package owns {unknown}")
        needed = {p for p in owners.values() if p} - BASE_PACKAGES
        missing = needed - listed
        extra = listed - needed - EXTRA_ALLOWED
        if missing:
            failures.append(f"runtime lacks packages the binaries link: {sorted(missing)}")
        built = {os.path.basename(b) for b in glob.glob(os.path.join(bin_dir, "storewire*"))}
        declared = set()
        for cml in glob.glob(os.path.join(repo, "services", "*", "CMakeLists.txt")):
            declared |= set(re.findall(r"storewire_binary\(\s*NAME\s+([\w-]+)", open(cml).read()))
        if extra and declared <= built:
            failures.append(f"runtime installs packages no binary links directly: {sorted(extra)}")
        elif extra:
            print(f"note: not every binary is built ({sorted(declared - built)} missing); "
                  f"not checking for extra packages {sorted(extra)}")
        print(f"runtime packages: {sorted(listed)}; linked: {sorted(needed)}")
    else:
        print(f"note: no binaries in '{bin_dir}'; the runtime package list was not cross-checked")
    for f in failures:
        print(f"FAIL: {f}")
    print("dockerfile: ok" if not failures else f"dockerfile: {len(failures)} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

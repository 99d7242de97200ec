#!/usr/bin/env python3
"""Turns kubernetes-validate's per-kind JSON schemas (which refer to a shared
"/api/_definitions.json") into standalone files that kubeconform can load
offline: each kind's schema gets the definitions it reaches inlined under
$defs, with its references rewritten to "#/$defs/...".

Usage: standalone_schemas.py WHEEL DIR_IN_WHEEL OUT_DIR KIND...   (KIND e.g. deployment-apps-v1)
"""
import json
import sys
import zipfile

REMOTE = "/api/_definitions.json#/$defs/"
LOCAL = "#/$defs/"


def refs(node, found):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                found.append(v)
            else:
                refs(v, found)
    elif isinstance(node, list):
        for v in node:
            refs(v, found)


def rewrite(node):
    if isinstance(node, dict):
        return {k: (v.replace(REMOTE, LOCAL) if k == "$ref" and isinstance(v, str) else rewrite(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [rewrite(v) for v in node]
    return node


def main(wheel, folder, out, kinds):
    with zipfile.ZipFile(wheel) as z:
        definitions = json.loads(z.read(f"{folder}/_definitions.json"))["$defs"]
        for kind in kinds:
            schema = json.loads(z.read(f"{folder}/{kind}.json"))
            schema.pop("$id", None)
            needed, queue = {}, []
            refs(schema, queue)
            while queue:
                ref = queue.pop()
                name = ref.split("/")[-1]
                if name in needed or name not in definitions:
                    continue
                needed[name] = definitions[name]
                refs(definitions[name], queue)
            schema = rewrite(schema)
            schema["$defs"] = {k: rewrite(v) for k, v in needed.items()}
            with open(f"{out}/{kind}.json", "w") as f:
                json.dump(schema, f)


if __name__ == "__main__":
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:])

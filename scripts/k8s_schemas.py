"""Write the Kubernetes JSON schemas that tests/deploy/test_k8s_manifests.py validates with.

Why: CI has no cluster and no network, and the PyPI package that bundles these
schemas (kubernetes-validate) needs a jsonschema newer than the one Rasa 3.6 pins.
So the schemas of the kinds in deploy/k8s/ are committed under tests/data/k8s/,
taken from that package's wheel (its "local-strict" set: unknown fields are errors)
and cut down to the definitions those kinds reach.

    pip download --no-deps kubernetes-validate==1.37.0 -d /tmp/kv
    python scripts/k8s_schemas.py /tmp/kv/kubernetes_validate-1.37.0-py3-none-any.whl
"""
from __future__ import annotations

import argparse
import json
import re
import zipfile
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "k8s"
KUBERNETES = "v1.30.0"
#: kind-group-version file names, as kubernetes-validate names them
KINDS = [
    "configmap-v1",
    "deployment-apps-v1",
    "horizontalpodautoscaler-autoscaling-v2",
    "ingress-networking-v1",
    "networkpolicy-networking-v1",
    "poddisruptionbudget-policy-v1",
    "service-v1",
]
DEFS_REF = re.compile(r"#/\$defs/([^\"/]+)$")


def refs(node: Any) -> Iterator[str]:
    """Every definition name a schema fragment refers to."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                match = DEFS_REF.search(value)
                if match:
                    yield match.group(1)
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def reachable(definitions: dict[str, Any], roots: list[Any]) -> dict[str, Any]:
    """The definitions the root schemas reach, transitively."""
    todo = [name for root in roots for name in refs(root)]
    seen: dict[str, Any] = {}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen[name] = definitions[name]
        todo.extend(refs(definitions[name]))
    return dict(sorted(seen.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path, help="kubernetes_validate-*.whl")
    args = parser.parse_args()
    base = f"kubernetes_validate/kubernetes-json-schema/{KUBERNETES}-local-strict"
    out = OUT / KUBERNETES
    out.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(args.wheel) as wheel:
        kinds = {kind: json.loads(wheel.read(f"{base}/{kind}.json")) for kind in KINDS}
        definitions = json.loads(wheel.read(f"{base}/_definitions.json"))
        licence = next(n for n in wheel.namelist() if n.endswith("licenses/LICENSE"))
        (OUT / "LICENSE").write_bytes(wheel.read(licence))
        version = re.search(r"kubernetes_validate-([^-]+)-", args.wheel.name)
    for kind, schema in kinds.items():
        (out / f"{kind}.json").write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")
    definitions["$defs"] = reachable(definitions["$defs"], list(kinds.values()))
    (out / "_definitions.json").write_text(json.dumps(definitions, indent=1, sort_keys=True) + "\n")
    print(f"{len(kinds)} kinds, {len(definitions['$defs'])} definitions from "
          f"kubernetes-validate {version.group(1) if version else '?'} into {out}")


if __name__ == "__main__":
    main()

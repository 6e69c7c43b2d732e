"""deploy/k8s/: schema-valid Kubernetes objects that fit together, with no secret in them.

No cluster runs here, so every object is validated against the Kubernetes 1.30 API
schemas committed under tests/data/k8s/ (strict: an unknown field is an error), and
the wiring a cluster would otherwise reveal is checked by reading the manifests:
selectors, ports, probes, the Secret's keys, the variables endpoints.scale.yml
needs, and HAProxy's configuration (`haproxy -c`).
"""
from __future__ import annotations

import copy
import importlib.util
import json
import re
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import jsonschema
import pytest
import yaml

from tests.conftest import require
from tests.harness import haproxy as haproxy_harness

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
SCHEMAS = ROOT / "tests" / "data" / "k8s" / "v1.30.0"
SECRET = "assurance-secrets"
#: the keys of the Secret that docs/SCALEOUT.md tells the operator to create
SECRET_KEYS = {"TRACKER_STORE_URL", "DATABASE_URL", "ASSURANCE_JWT_SECRET"}


def _load_config_script() -> Any:
    spec = importlib.util.spec_from_file_location("k8s_config", ROOT / "scripts" / "k8s_config.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


k8s_config = _load_config_script()


def manifest_files() -> list[Path]:
    return sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


@lru_cache(maxsize=None)
def objects() -> tuple[dict, ...]:
    return tuple(doc for path in manifest_files() for doc in yaml.safe_load_all(path.read_text()) if doc)


def of_kind(kind: str) -> list[dict]:
    return [o for o in objects() if o["kind"] == kind]


def named(kind: str, name: str) -> dict:
    (found,) = [o for o in of_kind(kind) if o["metadata"]["name"] == name]
    return found


@lru_cache(maxsize=None)
def definitions() -> dict:
    return json.loads((SCHEMAS / "_definitions.json").read_text())


def validator_for(obj: dict) -> jsonschema.Draft202012Validator:
    """The strict schema of the object's kind and API version, refs resolved offline."""
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", obj["apiVersion"])
    path = SCHEMAS / f"{obj['kind'].lower()}-{group_version}.json"
    assert path.exists(), f"no schema for {obj['kind']} {obj['apiVersion']} (scripts/k8s_schemas.py KINDS)"
    schema = json.loads(path.read_text())
    resolver = jsonschema.RefResolver.from_schema(
        schema, store={definitions()["$id"]: definitions()})
    return jsonschema.Draft202012Validator(schema, resolver=resolver)


def schema_errors(obj: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator_for(obj).iter_errors(obj)]


def containers(deployment: dict) -> Iterator[dict]:
    spec = deployment["spec"]["template"]["spec"]
    yield from spec.get("initContainers", [])
    yield from spec["containers"]


# --- the schema check -----------------------------------------------------------------

def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == [p.name for p in manifest_files()]
    assert kustomization["namespace"] == k8s_config.NAMESPACE


@pytest.mark.parametrize("obj", objects(), ids=lambda o: f"{o['kind']}/{o['metadata']['name']}")
def test_every_object_is_valid_against_the_kubernetes_api_schema(obj: dict) -> None:
    assert schema_errors(obj) == []


def test_the_schema_check_catches_what_a_cluster_would_reject() -> None:
    rasa = named("Deployment", "rasa")
    assert schema_errors(rasa) == []
    typo = copy.deepcopy(rasa)
    container = typo["spec"]["template"]["spec"]["containers"][0]
    container["readinessprobe"] = container.pop("readinessProbe")
    assert any("readinessprobe" in e for e in schema_errors(typo))
    wrong_type = copy.deepcopy(rasa)
    wrong_type["spec"]["replicas"] = "two"
    assert any(e.startswith("spec/replicas") for e in schema_errors(wrong_type))
    no_template = copy.deepcopy(rasa)
    del no_template["spec"]["template"]
    assert any("'template' is a required property" in e for e in schema_errors(no_template))
    deep_typo = copy.deepcopy(rasa)
    deep_typo["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerport"] = 5005
    assert schema_errors(deep_typo)


# --- the wiring ---------------------------------------------------------------------

def test_services_select_pods_and_name_their_ports() -> None:
    pods = {d["metadata"]["name"]: d for d in of_kind("Deployment")}
    for service in of_kind("Service"):
        if service["spec"].get("type") == "ExternalName":
            continue
        selector = service["spec"]["selector"]
        (target,) = [d for d in pods.values()
                     if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()]
        ports = {p["name"] for c in target["spec"]["template"]["spec"]["containers"] for p in c["ports"]}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in ports, (service["metadata"]["name"], port)


def test_every_deployment_is_probed_on_its_own_port() -> None:
    for deployment in of_kind("Deployment"):
        spec = deployment["spec"]
        assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()
        for container in spec["template"]["spec"]["containers"]:
            names = {p["name"] for p in container["ports"]}
            for probe in ("readinessProbe", "livenessProbe"):
                assert container[probe]["httpGet"]["port"] in names, (deployment["metadata"]["name"], probe)
            assert "requests" in container["resources"] and "limits" in container["resources"]


def test_no_secret_values_only_references_to_the_documented_secret() -> None:
    assert of_kind("Secret") == []
    refs = [env["valueFrom"]["secretKeyRef"]
            for d in of_kind("Deployment") for c in containers(d)
            for env in c.get("env", []) if "secretKeyRef" in env.get("valueFrom", {})]
    assert {r["name"] for r in refs} == {SECRET}
    assert {r["key"] for r in refs} == SECRET_KEYS
    doc = (ROOT / "docs" / "SCALEOUT.md").read_text()
    command = doc[doc.index(f"create secret generic {SECRET}"):].split("\n```", 1)[0]
    for key in SECRET_KEYS:
        assert f"--from-literal={key}=" in command, key
    for cm in of_kind("ConfigMap"):
        text = json.dumps(cm["data"])
        assert not re.search(r"://[^/\s\"]*:[^@/\s\"]+@", text), "a password in a ConfigMap"


def env_names(container: dict) -> set[str]:
    names = {e["name"] for e in container.get("env", [])}
    for source in container.get("envFrom", []):
        names |= set(named("ConfigMap", source["configMapRef"]["name"])["data"])
    return names


def test_rasa_gets_every_variable_its_endpoints_file_reads() -> None:
    (rasa,) = named("Deployment", "rasa")["spec"]["template"]["spec"]["containers"]
    endpoints = named("ConfigMap", "rasa-files")["data"]["endpoints.yml"]
    needed = set(re.findall(r"\$\{(\w+)\}", re.sub(r"#.*", "", endpoints)))
    assert needed and needed <= env_names(rasa), needed - env_names(rasa)
    assert "--endpoints" in rasa["args"] and "/etc/assurance/endpoints.yml" in rasa["args"]


def test_command_line_references_are_defined() -> None:
    for deployment in of_kind("Deployment"):
        for container in containers(deployment):
            used = set(re.findall(r"\$\((\w+)\)", " ".join(container.get("args", []))))
            assert used <= env_names(container), (container["name"], used - env_names(container))


def test_haproxy_mounts_every_error_file_and_has_a_slot_per_rasa_pod() -> None:
    data = named("ConfigMap", "haproxy-files")["data"]
    (volume,) = named("Deployment", "haproxy")["spec"]["template"]["spec"]["volumes"]
    items = {i["key"]: i["path"] for i in volume["configMap"]["items"]}
    assert set(items) == set(data)
    for key in data:
        if key.startswith("errors-"):
            assert f"errorfile {key[7:10]} {items[key]}" in data["haproxy.cfg"]
    assert named("HorizontalPodAutoscaler", "rasa")["spec"]["maxReplicas"] == k8s_config.RASA_SLOTS
    assert f"server-template rasa {k8s_config.RASA_SLOTS} " in data["haproxy.cfg"]
    assert named("Service", "rasa-replicas")["spec"]["clusterIP"] == "None"


def test_the_configmaps_match_the_repository_files() -> None:
    committed = (K8S / "config.yaml").read_text()
    assert committed == k8s_config.render(), "deploy/k8s/config.yaml is stale: run `python scripts/k8s_config.py`"
    rasa_files = named("ConfigMap", "rasa-files")["data"]
    assert rasa_files["endpoints.yml"] == (ROOT / "endpoints.scale.yml").read_text()
    cluster = yaml.safe_load(rasa_files["credentials.yml"])
    local = yaml.safe_load((ROOT / "credentials.yml").read_text())
    for channel in local.values():
        channel["trusted_proxy_header"] = "X-Forwarded-For"
    assert cluster == local


def test_haproxy_accepts_the_cluster_configuration(tmp_path: Path) -> None:
    haproxy = haproxy_harness.binary()
    require("haproxy", haproxy is not None, "the Debian package haproxy is not installed")
    data = named("ConfigMap", "haproxy-files")["data"]
    (volume,) = named("Deployment", "haproxy")["spec"]["template"]["spec"]["volumes"]
    for item in volume["configMap"]["items"]:
        path = tmp_path / item["path"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data[item["key"]].encode("utf-8"))
    result = subprocess.run([haproxy, "-c", "-f", str(tmp_path / "haproxy.cfg")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr

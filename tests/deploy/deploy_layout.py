"""Where the deployment files are, the platform's processes, the venv's tools, and how to
read rendered Kubernetes resources."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
OVERLAYS = ("dev", "prod")
# The platform's processes: the package each image is built from, by process name.
PROCESSES = {"gateway": "gateway"} | {
    path.parent.name: f"services/{path.parent.name}" for path in sorted(REPO.glob("services/*/pyproject.toml"))
}


def tool(name: str) -> str:
    """A command-line tool installed in the venv that runs the tests (requirements-dev.txt)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.fail(f"{name} is missing from the venv: make install")
    return str(path)


def of_kind(manifests: list[dict], kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in manifests if doc["kind"] == kind}


def pod_spec(manifests: list[dict], name: str) -> dict:
    return of_kind(manifests, "Deployment")[name]["spec"]["template"]["spec"]


def secret_refs(container: dict) -> set[str]:
    refs = {src["secretRef"]["name"] for src in container.get("envFrom", []) if "secretRef" in src}
    keyed = (e.get("valueFrom", {}).get("secretKeyRef") for e in container.get("env", []))
    refs |= {ref["name"] for ref in keyed if ref}
    return refs


def generated_from(name: str, names: set[str]) -> bool:
    """`name` is the Secret/ConfigMap `base`, with or without kustomize's hash suffix."""
    return any(name == base or name.startswith(base + "-") and len(name) == len(base) + 11 for base in names)

"""What the deployment checks read: the processes of the platform, the compose file as Docker
Compose would load it, and each Kubernetes overlay as `kubectl kustomize` renders it. No Docker
engine or cluster is needed: the tools are the venv's (requirements-dev.txt)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

# The helpers beside this file, importable as `deploy_layout` (`deploy` is the repo's folder).
# Appended: `conftest` must stay tests/conftest.py for the suites that import from it.
sys.path.append(str(Path(__file__).parent))

from deploy_layout import DEPLOY, OVERLAYS, PROCESSES, tool  # noqa: E402


@pytest.fixture(scope="session")
def processes() -> dict[str, str]:
    return PROCESSES


@pytest.fixture(scope="session")
def compose() -> dict:
    """deploy/docker-compose.yml with its anchors and merge keys resolved."""
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


@pytest.fixture(scope="session", params=OVERLAYS)
def overlay(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[dict]]:
    """Each overlay's resources, rendered by `kubectl kustomize`."""
    out = {}
    for name in OVERLAYS:
        text = subprocess.run(
            [tool("kubectl"), "kustomize", str(DEPLOY / "k8s" / "overlays" / name)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        out[name] = [doc for doc in yaml.safe_load_all(text) if doc]
    return out


@pytest.fixture(scope="session")
def manifests(rendered, overlay) -> list[dict]:
    return rendered[overlay]

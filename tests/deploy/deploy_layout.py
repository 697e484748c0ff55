"""Where the deployment files are, the platform's processes, and the venv's tools."""

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

"""deploy/Dockerfile: lint clean, installs from the lock, runs as the uid the manifests expect,
and is built with the one command its header and deploy/README.md show."""

from __future__ import annotations

import re
import subprocess

from deploy_layout import DEPLOY, REPO, tool

DOCKERFILE = DEPLOY / "Dockerfile"
BUILD_COMMAND = re.compile(r"docker build -f deploy/Dockerfile --build-arg PACKAGE=\S+ -t \S+ \.")


def hadolint(path) -> subprocess.CompletedProcess:
    return subprocess.run([tool("hadolint"), "--no-color", str(path)], capture_output=True, text=True)


def test_dockerfile_passes_hadolint():
    result = hadolint(DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_refuses_an_unpinned_base(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python\nRUN pip install fastapi\n")
    assert hadolint(bad).returncode != 0


def test_installs_from_the_lock_and_runs_as_uid_10001():
    text = DOCKERFILE.read_text()
    assert "COPY constraints.txt" in text and "PIP_CONSTRAINT=/app/constraints.txt" in text
    assert re.search(r"^USER 10001$", text, flags=re.M)
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, flags=re.M).group(1)
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base), "an exact base tag"


def test_readme_shows_the_dockerfile_build_command():
    header = BUILD_COMMAND.findall(DOCKERFILE.read_text())
    readme = BUILD_COMMAND.findall((DEPLOY / "README.md").read_text())
    assert len(header) == 1, "the Dockerfile's header documents one build command"
    assert header[0] in readme


def test_the_build_context_leaves_out_local_state_and_tests():
    ignored = (REPO / ".dockerignore").read_text().split()
    assert {".venv", ".git", "**/tests"} <= set(ignored)

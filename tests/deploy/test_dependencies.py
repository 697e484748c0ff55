"""Reproducible installs: constraints.txt (`make lock`) pins every package, agrees with the
pins of each pyproject.toml and requirements-dev.txt, and each package declares what it imports."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from deploy_layout import PROCESSES, REPO
from packaging.requirements import Requirement

PACKAGES = ["shared", *PROCESSES.values()]


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock() -> dict[str, str]:
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            name, version = line.split(";")[0].strip().split("==")
            pins[normalized(name)] = version
    return pins


def pyproject(package: str) -> dict:
    return tomllib.loads((REPO / package / "pyproject.toml").read_text())["project"]


def declared(package: str) -> list[Requirement]:
    project = pyproject(package)
    extras = [dep for deps in project.get("optional-dependencies", {}).values() for dep in deps]
    return [Requirement(dep) for dep in project["dependencies"] + extras]


def dev_requirements() -> list[Requirement]:
    lines = (REPO / "requirements-dev.txt").read_text().splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]


def exact_pin(requirement: Requirement) -> str | None:
    (spec,) = requirement.specifier or [None]
    return spec.version if spec is not None and spec.operator == "==" else None


def test_every_pin_agrees_with_the_lock():
    pins = lock()
    requirements = [r for package in PACKAGES for r in declared(package)] + dev_requirements()
    for requirement in requirements:
        name = normalized(requirement.name)
        if name.startswith("tt-"):
            assert name not in pins, f"{name} is ours: never pinned in the lock"
            continue
        assert name in pins, f"{name} is not in constraints.txt: make lock"
        assert exact_pin(requirement) in (None, pins[name]), f"{name}: {requirement} but the lock has {pins[name]}"


def test_each_service_declares_the_shared_library():
    for package in PACKAGES[1:]:
        assert "tt-shared" in {normalized(r.name) for r in declared(package)}, package


def imported_modules(package: str) -> set[str]:
    """Top-level modules imported by the package's code and migrations (tests excluded)."""
    root = REPO / package
    code = [d for d in root.iterdir() if (d / "__init__.py").exists()] + [root / "migrations"]
    modules = set()
    for path in (f for d in code if d.exists() for f in d.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {d.name for d in code}


def distributions(module: str) -> set[str]:
    first_party = {Path(p).name for p in PACKAGES}
    if module in first_party:
        return {f"tt-{module}"}
    return {normalized(d) for d in packages_distributions().get(module, [module])}


def test_every_package_declares_what_it_imports():
    missing = {}
    for package in PACKAGES:
        names = {normalized(r.name) for r in declared(package)}
        undeclared = {m for m in imported_modules(package) if not distributions(m) & names}
        if undeclared:
            missing[package] = sorted(undeclared)
    assert missing == {}


def test_the_import_scan_sees_imports():
    """The scan above finds third-party imports, so an empty `missing` means something."""
    assert {"fastapi", "sqlalchemy", "alembic"} <= imported_modules("services/crm")
    assert {"aiohttp", "yarl"} <= imported_modules("gateway")

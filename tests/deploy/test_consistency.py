"""Every process is deployed alike everywhere: an image (deploy/Dockerfile, one PACKAGE), a
compose service and Kubernetes manifests, with the same port and health paths, and only `TT_`
variables that its settings class reads."""

from __future__ import annotations

import importlib
import inspect
import json
import re
import subprocess

from deploy_layout import DEPLOY, generated_from, of_kind, pod_spec
from pydantic import AliasChoices

from shared.settings import PlatformSettings

PORT = 8000


def settings_class(process: str) -> type[PlatformSettings]:
    module = importlib.import_module(f"{process}.settings")
    (cls,) = [
        c
        for c in vars(module).values()
        if inspect.isclass(c) and issubclass(c, PlatformSettings) and c.__module__ == module.__name__
        and "Tool" not in c.__name__
    ]  # fmt: skip
    return cls


def known_variables(process: str) -> set[str]:
    """The environment names the process's settings read (prefix TT_, or a field's aliases)."""
    names = set()
    for field, info in settings_class(process).model_fields.items():
        names.add(f"TT_{field.upper()}")
        if isinstance(info.validation_alias, AliasChoices):
            names |= {a.upper() for a in info.validation_alias.choices if isinstance(a, str)}
    return names


def image_command(package: str) -> list[str]:
    """The argv the image's CMD runs for `package` (its shell line, with `exec` printing)."""
    (cmd,) = re.findall(r"^CMD (\[.*\])$", (DEPLOY / "Dockerfile").read_text(), flags=re.M)
    shell, flag, line = json.loads(cmd)
    assert (shell, flag) == ("sh", "-c") and line.startswith("exec ")
    printed = subprocess.run(
        ["sh", "-c", 'printf "%s\\n" ' + line.removeprefix("exec ")],
        env={"PACKAGE": package},
        capture_output=True,
        text=True,
        check=True,
    )
    return printed.stdout.splitlines()


def test_the_image_of_every_process_serves_its_package(compose, processes):
    """One build arg, PACKAGE, picks the process: the CMD serves its `create_app`."""
    for name, package in processes.items():
        assert compose["services"][name]["build"]["args"] == {"PACKAGE": package}
        assert compose["services"][name]["build"]["dockerfile"] == "deploy/Dockerfile"
        argv = image_command(package)
        assert argv[:2] == ["uvicorn", "--factory"]
        module, factory = argv[2].split(":")
        assert module == f"{name}.main" and callable(getattr(importlib.import_module(module), factory))
        assert argv[argv.index("--port") + 1] == str(PORT)


def test_ports_and_health_paths_agree(compose, manifests, processes):
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert f"--port {PORT}" in dockerfile and re.search(rf"^EXPOSE {PORT}\b", dockerfile, flags=re.M)
    services = of_kind(manifests, "Service")
    for name in processes:
        main = pod_spec(manifests, name)["containers"][0]
        assert {"name": "http", "containerPort": PORT} in main["ports"]
        assert main["readinessProbe"]["httpGet"]["port"] == "http"
        healthcheck = " ".join(compose["services"][name]["healthcheck"]["test"])
        assert f"http://127.0.0.1:{PORT}/readyz" in healthcheck, name
        if name != "gateway":
            assert services[name]["spec"]["ports"] == [{"name": "http", "port": PORT, "targetPort": "http"}]
    assert compose["services"]["gateway"]["ports"] == [f"${{GATEWAY_HOST_PORT:-8000}}:{PORT}"]


def test_service_urls_point_at_the_services(compose, manifests, processes):
    config = next(cm for name, cm in of_kind(manifests, "ConfigMap").items() if generated_from(name, {"tt-config"}))
    for name in processes:
        if name == "gateway":
            continue
        url = f"http://{name}:{PORT}"
        assert config["data"][f"TT_{name.upper()}_URL"] == url
        assert compose["services"]["gateway"]["environment"][f"TT_{name.upper()}_URL"] == url


def test_compose_sets_only_variables_the_process_reads(compose, processes):
    envs = {name: set(compose["services"][name]["environment"]) for name in processes}
    shared = set.intersection(*envs.values())
    assert all(any(var in known_variables(p) for p in processes) for var in shared), shared
    for name, env in envs.items():
        assert env - shared <= known_variables(name), (name, env - shared - known_variables(name))


def test_kubernetes_sets_only_variables_the_process_reads(manifests, processes):
    data = {name: doc.get("data", {}) for name, doc in of_kind(manifests, "ConfigMap").items()}
    data |= {name: doc.get("data", {}) for name, doc in of_kind(manifests, "Secret").items()}
    config = next(keys for name, keys in data.items() if generated_from(name, {"tt-config"}))
    assert all(any(var in known_variables(p) for p in processes) for var in config), config
    for name in processes:
        spec = pod_spec(manifests, name)
        for container in spec["containers"] + spec.get("initContainers", []):
            own = {e["name"] for e in container.get("env", [])}
            for source in container.get("envFrom", []):
                ref = source.get("secretRef", {}).get("name")
                if ref and not generated_from(ref, {"tt-config"}):
                    own |= set(next((keys for n, keys in data.items() if n == ref), {}))
            assert own <= known_variables(name), (name, container["name"], own - known_variables(name))

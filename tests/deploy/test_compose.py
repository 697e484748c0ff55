"""deploy/docker-compose.yml: valid Compose, every container watched and restarted, each
service migrated before it starts, and every variable it needs listed in deploy/.env.example;
the NATS server configs are valid for the NATS server the platform pins."""

from __future__ import annotations

import os
import re
import subprocess

from deploy_layout import DEPLOY, tool


def check_compose_schema(path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
    )


def test_compose_file_fits_the_compose_specification():
    result = check_compose_schema(DEPLOY / "docker-compose.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_schema_check_refuses_a_misspelt_key(tmp_path):
    bad = tmp_path / "compose.yml"
    bad.write_text("services:\n  api:\n    image: x\n    dependson: [db]\n")
    assert check_compose_schema(bad).returncode != 0


def test_every_container_has_a_healthcheck_and_a_restart_policy(compose):
    for name, service in compose["services"].items():
        one_shot = service["restart"].startswith("on-failure")
        assert one_shot or service["restart"] == "unless-stopped", name
        assert one_shot == name.endswith(("-migrate", "-bootstrap")), name
        if not one_shot:
            assert service["healthcheck"]["test"], name


def test_admin_password_reaches_only_the_bootstrap_step(compose):
    services = compose["services"]
    assert [name for name, s in services.items() if "TT_ADMIN_PASSWORD" in s.get("environment", {})] == [
        "auth-bootstrap"
    ]
    assert services["auth-bootstrap"]["command"] == ["tt-admin", "bootstrap"]
    assert services["auth-bootstrap"]["depends_on"] == {"auth-migrate": {"condition": "service_completed_successfully"}}
    assert services["auth"]["depends_on"]["auth-bootstrap"] == {"condition": "service_completed_successfully"}


def test_each_service_starts_after_its_migrations_and_nats(compose, processes):
    services = compose["services"]
    for name, package in processes.items():
        depends = services[name]["depends_on"]
        if name == "gateway":
            assert all(depends[s]["condition"] == "service_healthy" for s in processes if s != "gateway")
            continue
        migrate = services[f"{name}-migrate"]
        assert migrate["command"] == ["python", "-m", "shared.migrate", package]
        assert migrate["image"] == services[name]["image"], "the same release migrates and serves"
        assert depends[f"{name}-migrate"] == {"condition": "service_completed_successfully"}
        assert depends["nats"] == {"condition": "service_healthy"}


def test_nats_uses_the_durable_config_of_deploy_nats(compose):
    nats = compose["services"]["nats"]
    assert "./nats/nats.conf:/etc/nats/nats.conf:ro" in nats["volumes"]
    assert nats["command"][-1] == "/etc/nats/nats.conf"
    conf = (DEPLOY / "nats" / "nats.conf").read_text()
    assert "sync_interval: always" in conf and "store_dir: /data" in conf
    assert "js-enabled-only" in " ".join(nats["healthcheck"]["test"])


def test_env_example_lists_every_variable_the_compose_file_reads():
    text = (DEPLOY / "docker-compose.yml").read_text()
    used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", text))
    listed = set(re.findall(r"^([A-Z_][A-Z0-9_]*)=", (DEPLOY / ".env.example").read_text(), flags=re.M))
    assert used == listed


def test_nats_configs_are_valid_for_the_pinned_server(tmp_path):
    server = tool("nats-server")
    for conf in (DEPLOY / "nats" / "nats.conf", DEPLOY / "k8s" / "base" / "nats" / "nats.conf"):
        result = subprocess.run(
            [server, "-c", str(conf), "-t"], capture_output=True, text=True, env={**os.environ, "POD_NAME": "nats-0"}
        )
        assert result.returncode == 0, result.stdout + result.stderr
    bad = tmp_path / "nats.conf"
    bad.write_text("jetstream { sync_interval: sometimes }\n")
    assert subprocess.run([server, "-c", str(bad), "-t"], capture_output=True).returncode != 0

"""The Kubernetes overlays: valid for the API server, and each process deployed the way an
operator relies on (probes, draining, limits, autoscaling, security, secrets, migrations)."""

from __future__ import annotations

import kubernetes_validate
import pytest
from deploy_layout import generated_from, of_kind, pod_spec, secret_refs

KUBERNETES_VERSION = "1.37"


def test_every_resource_is_valid_for_the_api_server(manifests):
    for doc in manifests:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_invalid_resource_is_refused():
    """The validator does check: a misspelt field and a wrong type do not pass."""
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "x"},
        "spec": {"replicas": "two", "selector": {}, "template": {"spec": {"containers": []}}},
    }
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_every_process_has_deployment_service_autoscaler_and_budget(manifests, processes):
    for kind in ("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
        assert set(processes) <= set(of_kind(manifests, kind)), kind
    for name, hpa in of_kind(manifests, "HorizontalPodAutoscaler").items():
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}


def test_probes_draining_and_resources(manifests, processes):
    for name in processes:
        spec = pod_spec(manifests, name)
        main = spec["containers"][0]
        assert main["startupProbe"]["httpGet"]["path"] == "/healthz", name
        assert main["livenessProbe"]["httpGet"]["path"] == "/healthz", name
        assert main["readinessProbe"]["httpGet"]["path"] == "/readyz", name
        sleep = main["lifecycle"]["preStop"]["exec"]["command"]
        assert sleep[0] == "sleep" and int(sleep[1]) < spec["terminationGracePeriodSeconds"], name
        for container in spec["containers"] + spec.get("initContainers", []):
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), (name, container["name"])
            assert "memory" in container["resources"]["limits"], (name, container["name"])


def test_pods_run_restricted(manifests, processes):
    """Non-root uid 10001, read-only root with an emptyDir /tmp, no privilege, no capability."""
    workloads = [pod_spec(manifests, name) for name in processes]
    workloads.append(of_kind(manifests, "StatefulSet")["nats"]["spec"]["template"]["spec"])
    for spec in workloads:
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] == 10001
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
        assert spec["automountServiceAccountToken"] is False
        tmp = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
        for container in spec["containers"] + spec.get("initContainers", []):
            ctx = container["securityContext"]
            assert ctx == {
                "allowPrivilegeEscalation": False,
                "readOnlyRootFilesystem": True,
                "capabilities": {"drop": ["ALL"]},
            }, container["name"]
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert mounts.get("/tmp") in tmp, container["name"]


def test_migrations_run_before_each_service_serves(manifests, processes):
    for name, package in processes.items():
        init = pod_spec(manifests, name).get("initContainers", [])
        if name == "gateway":
            assert init == []
            continue
        assert init[0]["name"] == "migrate"
        assert init[0]["command"] == ["python", "-m", "shared.migrate", package]
        assert init[0]["image"] == pod_spec(manifests, name)["containers"][0]["image"], "same release"


def test_each_process_sees_only_its_own_secret(manifests, processes):
    for name in processes:
        spec = pod_spec(manifests, name)
        for container in spec["containers"] + spec.get("initContainers", []):
            refs = secret_refs(container)
            allowed = {f"tt-{name}"} | ({"tt-auth-admin"} if container["name"] == "bootstrap-admin" else set())
            assert refs and all(generated_from(ref, allowed) for ref in refs), (name, container["name"], refs)


def test_admin_password_reaches_only_the_bootstrap_step(manifests, processes):
    """The admin is created by an init container of auth, retried by the kubelet until the
    database answers; no other container gets the admin's Secret."""
    seen = []
    for name in processes:
        spec = pod_spec(manifests, name)
        for container in spec["containers"] + spec.get("initContainers", []):
            if any(generated_from(ref, {"tt-auth-admin"}) for ref in secret_refs(container)):
                seen.append((name, container["name"]))
    assert seen == [("auth", "bootstrap-admin")]
    bootstrap = pod_spec(manifests, "auth")["initContainers"][1]
    assert "tt-admin bootstrap" in bootstrap["command"][-1]


def test_gateway_keeps_client_addresses(manifests):
    services = of_kind(manifests, "Service")
    assert services["gateway"]["spec"]["type"] == "LoadBalancer"
    assert services["gateway"]["spec"]["externalTrafficPolicy"] == "Local"
    assert [p["port"] for p in services["gateway"]["spec"]["ports"]] == [80], "metrics stay off the public address"
    assert [p["port"] for p in services["gateway-metrics"]["spec"]["ports"]] == [9100]
    env = {e["name"]: e.get("value") for e in pod_spec(manifests, "gateway")["containers"][0]["env"]}
    assert env["TT_TRUST_FORWARDED_FOR"] == "false", "the TCP peer is the client: X-Forwarded-For is forgeable"


def test_nats_is_a_three_node_jetstream_cluster(manifests):
    nats = of_kind(manifests, "StatefulSet")["nats"]
    assert nats["spec"]["replicas"] == 3
    assert nats["spec"]["serviceName"] == "nats-headless"
    assert of_kind(manifests, "Service")["nats-headless"]["spec"]["clusterIP"] == "None"
    config = next(cm for name, cm in of_kind(manifests, "ConfigMap").items() if generated_from(name, {"nats-config"}))
    conf = config["data"]["nats.conf"]
    assert "sync_interval: always" in conf and "store_dir: /data" in conf
    assert all(f"nats://nats-{i}.nats-headless:6222" in conf for i in range(3))
    platform = next(cm for name, cm in of_kind(manifests, "ConfigMap").items() if generated_from(name, {"tt-config"}))
    assert platform["data"]["TT_NATS_STREAM_REPLICAS"] == "3"


def test_prod_pins_every_image_and_runs_more(rendered, processes):
    prod, dev = rendered["prod"], rendered["dev"]
    for doc in prod:
        if doc["kind"] in ("Deployment", "StatefulSet"):
            spec = doc["spec"]["template"]["spec"]
            for container in spec["containers"] + spec.get("initContainers", []):
                image = container["image"]
                assert "@sha256:" in image or (":" in image and not image.endswith(":latest")), image
    prod_deployments, dev_deployments = of_kind(prod, "Deployment"), of_kind(dev, "Deployment")
    for name in processes:
        assert prod_deployments[name]["spec"]["replicas"] > dev_deployments[name]["spec"]["replicas"]
        assert of_kind(prod, "HorizontalPodAutoscaler")[name]["spec"]["minReplicas"] >= 2, "a disruption leaves one"

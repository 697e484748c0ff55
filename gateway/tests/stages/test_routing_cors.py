"""Through a gateway process: request id, CORS, routing (404/405/503) before authentication."""

import uuid

import httpx
import pytest

CORS = {
    "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
    "access-control-allow-headers": "Authorization, Content-Type, Accept, X-Request-ID, X-API-Key, Idempotency-Key",
    "vary": "Origin",
}


def assert_error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False and body["error_code"] == code
    assert body["error"] and body["message"]
    return body


class TestRequestId:
    def test_generated_when_absent(self, gateway):
        value = gateway.get("/api/v1/nothing").headers["x-request-id"]
        assert uuid.UUID(value).version == 4

    def test_echoed_and_forwarded(self, gateway, fake_auth):
        token, _, _ = fake_auth.add_token("read:projects")
        r = gateway.get("/api/v1/projects", token, headers={"X-Request-ID": "trace-abc-123"})
        assert r.headers["x-request-id"] == "trace-abc-123"
        assert r.json()["headers"]["x-request-id"] == "trace-abc-123"
        assert r.headers.get_list("x-request-id") == ["trace-abc-123"]  # the service's own is dropped

    def test_unreasonable_value_is_replaced(self, gateway):
        value = gateway.get("/api/v1/nothing", headers={"X-Request-ID": "x" * 500}).headers["x-request-id"]
        assert uuid.UUID(value)


class TestCors:
    @pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v1/projects", "/api/v1/info"])
    def test_headers_on_every_api_v1_response(self, gateway, path):
        r = gateway.get(path, headers={"Origin": "https://app.example"})
        assert r.headers["access-control-allow-origin"] == "https://app.example"
        for key, value in CORS.items():
            assert r.headers[key] == value

    def test_star_without_origin(self, gateway):
        assert gateway.get("/api/v1/info").headers["access-control-allow-origin"] == "*"

    @pytest.mark.parametrize("path", ["/api/v1/projects", "/api/v1/nothing/at/all", "/api/v1/users/me"])
    def test_preflight_is_204_without_auth(self, gateway, path):
        r = gateway.request("OPTIONS", path, headers={"Origin": "https://app.example"})
        assert r.status_code == 204 and r.content == b""
        assert r.headers["access-control-max-age"] == "600"
        assert r.headers["access-control-allow-origin"] == "https://app.example"

    def test_service_cors_headers_do_not_leak(self, gateway, fake_auth):
        token, _, _ = fake_auth.add_token("read:projects")
        r = gateway.get("/api/v1/projects", token)
        assert r.headers.get_list("access-control-allow-origin") == ["*"]

    def test_not_added_outside_api_v1(self, gateway):
        assert "access-control-allow-origin" not in gateway.get("/healthz").headers


class TestRouting:
    def test_unknown_api_path_is_404_before_auth(self, gateway):
        assert_error(gateway.get("/api/v1/nothing"), 404, "not_found")
        assert_error(gateway.get("/api/v1/projects/1/2/3", "tt_invalid"), 404, "not_found")

    def test_unknown_path_elsewhere_is_json_404(self, gateway):
        assert_error(gateway.get("/wp-admin"), 404, "not_found")

    def test_wrong_method_is_405_before_auth(self, gateway):
        body = assert_error(gateway.request("PATCH", "/api/v1/projects"), 405, "method_not_allowed")
        assert body["error"]
        r = gateway.request("POST", "/api/v1/projects/archived")
        assert_error(r, 405, "method_not_allowed")
        assert r.headers["allow"] == "GET"
        assert_error(gateway.request("POST", "/api/v1/info"), 405, "method_not_allowed")

    def test_trailing_slash_matches_and_is_forwarded_without_it(self, gateway, fake_auth):
        token, _, _ = fake_auth.add_token("read:projects")
        r = gateway.get("/api/v1/projects/7/?x=1&y=2", token)
        assert r.status_code == 200
        assert r.json()["path"] == "/api/v1/projects/7" and r.json()["query"] == "x=1&y=2"

    def test_internal_operations_are_not_exposed(self, gateway):
        assert_error(gateway.get("/api/v1/secret"), 404, "not_found")
        assert_error(gateway.request("POST", "/internal/introspect", json={}), 404, "not_found")

    def test_down_service_answers_503_not_404(self, gateway):
        body = assert_error(gateway.get("/api/v1/clients"), 503, "service_unavailable")
        assert "crm" in body["message"]
        assert_error(gateway.get("/api/v1/clients/5/contacts", "tt_whatever"), 503, "service_unavailable")

    def test_undeployed_service_paths_are_404(self, gateway):
        assert_error(gateway.get("/api/v1/reports/summary"), 404, "not_found")

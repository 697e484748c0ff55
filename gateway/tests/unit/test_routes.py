"""The route table built from services' OpenAPI (x-tt-auth / x-tt-scopes)."""

from gateway.routes.prefixes import owner_of
from gateway.routes.table import RouteTable, normalize


def op(scopes=(), auth="token"):
    return {"x-tt-auth": auth, "x-tt-scopes": list(scopes), "responses": {}}


DOCS = {
    "auth": {
        "paths": {
            "/api/v1/auth/login": {"post": op(auth="public")},
            "/api/v1/users/me": {"get": op(["read:users"])},
            "/internal/introspect": {"post": op(auth="internal")},
            "/api/v1/hidden": {"get": op(auth="internal")},
        }
    },
    "tracking": {
        "paths": {
            "/api/v1/projects": {"get": op(["read:projects"]), "post": op(["write:projects"])},
            "/api/v1/projects/archived": {"get": op(["read:projects"])},
            "/api/v1/projects/{project_id}": {"get": op(["read:projects"]), "delete": op(["write:projects"])},
            "/api/v1/timer/status": {"get": op()},
            "/api/v1/timer/{action}": {"post": op(["write:time_entries"])},
            "/api/v1/users/me/favorites/projects": {"get": op(["read:projects"])},
            "/api/v1/files/{file_path:path}": {"get": op()},
            "/api/v1/exports/report.{fmt}": {"get": op(["read:reports"])},
            "/api/v1/users/me": {"get": op(["read:projects"])},
        }
    },
}


def table():
    return RouteTable.from_openapi(DOCS)


def test_static_path_with_scopes_and_auth_mode():
    found, entry = table().resolve("POST", "/api/v1/projects")
    assert (found.service, found.auth, found.scopes) == ("tracking", "token", ("write:projects",))
    login, _ = table().resolve("POST", "/api/v1/auth/login")
    assert login.auth == "public" and login.scopes == ()


def test_static_segment_wins_over_parameter():
    found, entry = table().resolve("GET", "/api/v1/projects/archived")
    assert entry.template == "/api/v1/projects/archived"
    found, entry = table().resolve("GET", "/api/v1/projects/42")
    assert entry.template == "/api/v1/projects/{project_id}"


def test_falls_back_to_a_parameter_route_that_has_the_method():
    found, entry = table().resolve("POST", "/api/v1/timer/status")
    assert entry.template == "/api/v1/timer/{action}" and found.scopes == ("write:time_entries",)


def test_known_path_wrong_method_is_405_with_allow():
    found, entry = table().resolve("PUT", "/api/v1/projects/42")
    assert found is None and entry.allow == b"DELETE, GET"


def test_integer_parameters_only_match_digits():
    users = RouteTable.from_openapi(
        {
            "auth": {
                "paths": {
                    "/api/v1/users/me": {"get": op()},
                    "/api/v1/users/{user_id}": {
                        "parameters": [{"name": "user_id", "in": "path", "schema": {"type": "integer"}}],
                        "get": op(),
                        "delete": op(["admin:all"]),
                    },
                    "/api/v1/tags/{name}": {
                        "get": {**op(), "parameters": [{"name": "name", "in": "path", "schema": {"type": "string"}}]}
                    },
                }
            }
        }
    )
    assert users.resolve("DELETE", "/api/v1/users/12")[0].scopes == ("admin:all",)
    found, entry = users.resolve("DELETE", "/api/v1/users/me")
    assert found is None and entry.template == "/api/v1/users/me"  # 405, Allow: GET
    assert users.resolve("GET", "/api/v1/users/abc") == (None, None)  # 404
    assert users.resolve("GET", "/api/v1/tags/abc")[0] is not None


def test_unknown_path_is_404():
    assert table().resolve("GET", "/api/v1/nothing") == (None, None)
    assert table().resolve("GET", "/api/v1/projects/1/2/3") == (None, None)


def test_internal_operations_are_never_routed():
    assert table().resolve("POST", "/internal/introspect") == (None, None)
    assert table().resolve("GET", "/api/v1/hidden") == (None, None)


def test_path_and_partial_parameters():
    assert table().resolve("GET", "/api/v1/files/a/b/c.txt")[1].template == "/api/v1/files/{file_path:path}"
    assert table().resolve("GET", "/api/v1/exports/report.csv")[1].template == "/api/v1/exports/report.{fmt}"


def test_first_service_wins_a_duplicate_declaration():
    found, _ = table().resolve("GET", "/api/v1/users/me")
    assert found.service == "auth" and found.scopes == ("read:users",)


def test_trailing_slash_normalization():
    assert normalize("/api/v1/projects/") == "/api/v1/projects"
    assert normalize("/api/v1/projects//") == "/api/v1/projects"
    assert normalize("/") == "/"
    slashed = RouteTable.from_openapi({"x": {"paths": {"/api/v1/things/": {"get": op()}}}})
    _, entry = slashed.resolve("GET", "/api/v1/things")
    assert entry.slash


def test_static_prefix_owners():
    assert owner_of("/api/v1/users/me") == "auth"
    assert owner_of("/api/v1/users/me/favorites/projects") == "tracking"
    assert owner_of("/api/v1/inventory/items/3") == "inventory"
    assert owner_of("/admin/api-tokens") == "auth"
    assert owner_of("/integrations/google/callback") == "integrations"
    assert owner_of("/api/projects/5/forecast") == "reporting"
    assert owner_of("/api/stats/value-dashboard") == "reporting"
    assert owner_of("/api/v1/projects/5") == "tracking"
    assert owner_of("/api/v1/projectsx") is None
    assert owner_of("/api/v1/nothing") is None


def test_a_services_process_endpoints_are_never_routed_even_if_published():
    paths = {path: {"get": op(auth="public")} for path in ("/metrics", "/healthz", "/readyz")}
    table = RouteTable.from_openapi({"crm": {"paths": paths}})
    for path in paths:
        assert table.resolve("GET", path) == (None, None), path

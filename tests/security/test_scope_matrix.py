"""Every token route of the merged OpenAPI × every scope of the catalogue, and × every kind of
credential that must fail authentication (CONVENTIONS §2.3, §3): exactly 401 or 403 with the
standard body when refused, neither when the scope opens the route. The routes and their scopes
come from the gateway's OpenAPI, so a new route is covered without touching this file.

One request per (route, credential), without a body, at ids that exist nowhere: an allowed
request may answer 400/404/409/415/422, which is the handler's business, not the auth decision.
The tokens belong to an admin user, so object-level checks never answer 403 on their own."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from security.routes import Route, grants, routes
from sqlalchemy import create_engine, text

from auth.tokens.rules import SCOPE_CATALOGUE

WORKERS = 4


def send(client, route: Route):
    return client.request(route.method, route.path)


def sweep(client, todo: list[Route]) -> list[tuple[Route, object]]:
    with ThreadPoolExecutor(WORKERS) as pool:
        return list(zip(todo, pool.map(lambda route: send(client, route), todo), strict=True))


@pytest.fixture(scope="module")
def token_routes(openapi) -> list[Route]:
    found = [r for r in routes(openapi) if not r.public]
    assert len(found) > 50, "the merged OpenAPI lists too few token routes"
    return found


@pytest.fixture(scope="module")
def holder(api) -> dict:
    return api.user(role="admin")


def test_routes_without_a_scope_open_to_any_valid_token(api, holder, token_routes):
    """The routes that declare no scope (connectors, legacy dashboards) take any valid token:
    one sweep with a token whose one scope no route needs, instead of one per scope."""
    token, _ = api.token(holder, "read:mileage")
    with api.client(token) as client:
        wrong = [f"{route}: {r.status_code}" for route, r in sweep(client, [t for t in token_routes if not t.scopes])
                 if r.status_code in (401, 403)]  # fmt: skip
    assert not wrong, wrong


@pytest.mark.parametrize("scope", sorted(SCOPE_CATALOGUE))
def test_each_scope_opens_exactly_the_routes_that_declare_it(api, holder, token_routes, scope):
    token, _ = api.token(holder, scope)
    wrong = []
    with api.client(token) as client:
        for route, r in sweep(client, [t for t in token_routes if t.scopes]):
            if grants(scope, route.scopes):
                if r.status_code in (401, 403):
                    wrong.append(f"{route}: {r.status_code} {r.text[:200]}")
                continue
            expected = {
                "success": False,
                "error": "Insufficient permissions",
                "error_code": "forbidden",
                "required_scope": ", ".join(route.scopes),
                "available_scopes": [scope],
            }
            body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
            if r.status_code != 403 or {k: body.get(k) for k in expected} != expected:
                wrong.append(f"{route}: {r.status_code} {r.text[:200]}")
            elif not all(s in body["message"] for s in route.scopes):
                wrong.append(f"{route}: message does not name the scope: {body['message']}")
    assert not wrong, f"{scope}: {len(wrong)} wrong decisions:\n" + "\n".join(wrong)


def _expire(stack, token_id: int) -> None:
    engine = create_engine(stack.env["TT_AUTH_DATABASE_URL"])
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = :i"), {"i": token_id}
        )
    engine.dispose()


@pytest.fixture(scope="module")
def refused_credentials(stack, api, admin) -> dict[str, tuple[dict[str, str], str, str]]:
    """name → (headers, the 401's `error`, a word its message must hold). Each token is spoiled
    before its first use, so no gateway cache has seen it valid."""
    user = api.user()
    revoked, revoked_id = api.token(user)
    assert admin.post(f"/api/v1/admin/api-tokens/{revoked_id}/toggle").status_code == 200
    expired, expired_id = api.token(user, expires_days=1)
    _expire(stack, expired_id)
    elsewhere, _ = api.token(user, ip_whitelist="10.1.2.3, 192.168.0.0/16")
    leaver = api.user()
    leaver_token, _ = api.token(leaver)
    assert admin.patch(f"/api/v1/users/{leaver['id']}", json={"is_active": False}).status_code == 200
    invalid = "Invalid token"
    return {
        "no token": ({}, "Authentication required", "token"),
        "malformed": ({"Authorization": "Bearer not-a-tt-token"}, invalid, "format"),
        "unknown": ({"Authorization": "Bearer tt_" + "n" * 32}, invalid, "not found"),
        "revoked": ({"Authorization": f"Bearer {revoked}"}, invalid, "revoked"),
        "expired": ({"X-API-Key": expired}, invalid, "expired"),
        "ip not allowed": ({"Authorization": f"Bearer {elsewhere}"}, invalid, "ip"),
        "deactivated user": ({"Authorization": f"Bearer {leaver_token}"}, invalid, "inactive"),
    }


@pytest.mark.parametrize(
    "credential",
    ["no token", "malformed", "unknown", "revoked", "expired", "ip not allowed", "deactivated user"],
)
def test_a_refused_credential_is_401_on_every_token_route(api, refused_credentials, token_routes, credential):
    headers, error, word = refused_credentials[credential]
    wrong = []
    with api.client(**headers) as client:
        for route, r in sweep(client, token_routes):
            body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
            shape = (body.get("success"), body.get("error"), body.get("error_code"))
            if r.status_code != 401 or shape != (False, error, "unauthorized"):
                wrong.append(f"{route}: {r.status_code} {r.text[:200]}")
            elif word not in body.get("message", "").lower():
                wrong.append(f"{route}: message {body.get('message')!r} does not say {word!r}")
    assert not wrong, f"{credential}: {len(wrong)} wrong answers:\n" + "\n".join(wrong)

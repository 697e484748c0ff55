"""`GET /api/v1/search` and legacy `GET /api/search` (reporting.md §2, CONVENTIONS §13) when
neither tracking nor CRM is configured: parameters, errors and failure reporting."""

from __future__ import annotations

import pytest

URL = "/api/v1/search"
LEGACY_URL = "/api/search"
TOO_SHORT = {
    "success": False,
    "error": "Search query needs at least 2 characters",
    "message": "Search query needs at least 2 characters",
    "error_code": "validation_error",
    "results": [],
    "partial": False,
    "errors": {},
}
ALL_UNAVAILABLE = {"projects": "unavailable", "tasks": "unavailable", "clients": "unavailable",
                   "entries": "unavailable"}  # fmt: skip


@pytest.fixture
def search(make_app_client):
    """A reporting service that knows no tracking or CRM service."""
    return make_app_client(tracking_url=None, crm_url=None)


@pytest.fixture
def headers(headers_for, user_id):
    return headers_for(user_id, "read:projects")


def assert_legacy_headers(response):
    assert response.headers["X-API-Deprecated"] == "true"
    assert response.headers["Link"] == '</api/v1/search>; rel="successor-version"'


class TestSearch:
    def test_unconfigured_services_fail_every_domain_with_200(self, search, headers):
        response = search.get(URL, params={"q": "  website  "}, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json() == {
            "results": [],
            "query": "website",
            "count": 0,
            "partial": True,
            "errors": ALL_UNAVAILABLE,
        }

    def test_only_searched_domains_can_fail(self, search, headers):
        body = search.get(URL, params={"q": "web", "types": "Client,entry"}, headers=headers).json()
        assert body["partial"] is True
        assert body["errors"] == {"clients": "unavailable", "entries": "unavailable"}

    def test_no_valid_type_searches_nothing(self, search, headers):
        response = search.get(URL, params={"q": "web", "types": "nothing"}, headers=headers)
        assert response.status_code == 200
        assert response.json() == {"results": [], "query": "web", "count": 0, "partial": False, "errors": {}}

    @pytest.mark.parametrize("q", [None, "", "a", "  a  ", "   "])
    def test_short_or_missing_query_is_400(self, search, headers, q):
        params = {} if q is None else {"q": q}
        response = search.get(URL, params=params, headers=headers)
        assert response.status_code == 400
        assert response.json() == TOO_SHORT

    def test_two_characters_after_trimming_are_enough(self, search, headers):
        response = search.get(URL, params={"q": " ab "}, headers=headers)
        assert response.status_code == 200
        assert response.json()["query"] == "ab"

    def test_scope_read_projects_is_required(self, search, headers_for, user_id):
        response = search.get(URL, params={"q": "web"}, headers=headers_for(user_id, "read:reports"))
        assert response.status_code == 403
        body = response.json()
        assert body["error_code"] == "forbidden"
        assert body["required_scope"] == "read:projects"

    def test_a_read_wildcard_grants_the_scope(self, search, headers_for, user_id):
        response = search.get(URL, params={"q": "web"}, headers=headers_for(user_id, "read:*"))
        assert response.status_code == 200

    def test_requests_without_gateway_identity_are_401(self, search):
        response = search.get(URL, params={"q": "web"})
        assert response.status_code == 401
        assert response.json()["error_code"] == "unauthorized"

    def test_v1_carries_no_deprecation_headers(self, search, headers):
        response = search.get(URL, params={"q": "web"}, headers=headers)
        assert "X-API-Deprecated" not in response.headers

    @pytest.mark.parametrize(
        "params",
        [
            {"q": "ab\x00cd"},
            {"q": "' OR 1=1 --"},
            {"q": "100%_"},
            {"q": "x" * 5000},
            {"q": "web", "limit": "9" * 400},
            {"q": "web", "limit": "-99999999999999999999"},
            {"q": "web", "limit": "\x00"},
            {"q": "web", "types": "\x00,project'"},
            {"q": "\u00e9\u00e8", "types": "x" * 5000},
        ],
    )
    def test_hostile_values_never_fail_the_request(self, search, headers, params):
        response = search.get(URL, params=params, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["query"] == params["q"].strip()

    def test_a_query_with_nul_matches_nothing_without_failing(self, search, headers):
        # stored text cannot contain NUL, so no domain needs to be asked
        response = search.get(URL, params={"q": "ab\x00"}, headers=headers)
        assert response.json() == {"results": [], "query": "ab\x00", "count": 0, "partial": False, "errors": {}}


class TestLegacySearch:
    def test_any_token_without_scope_is_served(self, search, headers_for, user_id):
        response = search.get(LEGACY_URL, params={"q": "website"}, headers=headers_for(user_id))
        assert response.status_code == 200, response.text
        assert response.json() == {
            "results": [],
            "query": "website",
            "count": 0,
            "partial": True,
            "errors": ALL_UNAVAILABLE,
        }
        assert_legacy_headers(response)

    @pytest.mark.parametrize("q", [None, "", "a", " b "])
    def test_short_query_finds_nothing_with_200(self, search, headers_for, user_id, q):
        params = {} if q is None else {"q": q}
        response = search.get(LEGACY_URL, params=params, headers=headers_for(user_id))
        assert response.status_code == 200
        assert response.json() == {
            "results": [],
            "query": (q or "").strip(),
            "count": 0,
            "partial": False,
            "errors": {},
        }
        assert_legacy_headers(response)

    def test_same_types_rule(self, search, headers_for, user_id):
        response = search.get(LEGACY_URL, params={"q": "web", "types": "PROJECT"}, headers=headers_for(user_id))
        assert response.json()["errors"] == {"projects": "unavailable"}

    def test_errors_also_carry_the_deprecation_headers(self, search):
        response = search.get(LEGACY_URL, params={"q": "web"})
        assert response.status_code == 401
        assert response.json()["error_code"] == "unauthorized"
        assert_legacy_headers(response)


class TestOpenApi:
    def test_scopes_are_published_for_the_gateway(self, search):
        paths = search.get("/openapi.json").json()["paths"]
        assert paths["/api/v1/search"]["get"]["x-tt-scopes"] == ["read:projects"]
        assert paths["/api/v1/search"]["get"]["x-tt-auth"] == "token"
        assert paths["/api/search"]["get"]["x-tt-scopes"] == []
        assert paths["/api/search"]["get"]["x-tt-auth"] == "token"

"""`GET /api/version/check`, `POST /api/version/dismiss` (auth.md §6) against a fake GitHub."""

import pytest

from shared.settings import PlatformSettings

LATEST = "/repos/DRYTRIX/TimeTracker/releases/latest"
LISTING = "/repos/DRYTRIX/TimeTracker/releases?per_page=20"
RELEASE = {
    "tag_name": "v5.10.0",
    "body": "Notes for 5.10",
    "published_at": "2025-06-01T08:00:00Z",
    "html_url": "https://example.invalid/releases/v5.10.0",
    "draft": False,
}


@pytest.fixture
def version_client(make_app_client, github):
    def make(**overrides):
        return make_app_client(version_check_github_api_url=github.url, **{"app_version": "5.9.0", **overrides})

    return make


class TestCheck:
    def test_update_available(self, version_client, github, admin_headers):
        github.respond(LATEST, RELEASE)
        r = version_client().get("/api/version/check", headers=admin_headers)
        assert r.status_code == 200
        assert r.json() == {
            "update_available": True,
            "current_version": "5.9.0",
            "latest_version": "5.10.0",
            "release_notes": "Notes for 5.10",
            "published_at": "2025-06-01T08:00:00Z",
            "release_url": "https://example.invalid/releases/v5.10.0",
        }
        path, headers = github.requests[0]
        assert path == LATEST and headers["accept"] == "application/vnd.github+json" and headers["user-agent"]
        assert "authorization" not in headers

    def test_token_header_when_configured(self, version_client, github, admin_headers):
        github.respond(LATEST, RELEASE)
        version_client(github_releases_token="ghp_secret").get("/api/version/check", headers=admin_headers)
        assert github.requests[0][1]["authorization"] == "token ghp_secret"

    def test_current_version_is_the_display_string(self, version_client, github, admin_headers):
        github.respond(LATEST, RELEASE)
        body = version_client(app_version="v5.10.0").get("/api/version/check", headers=admin_headers).json()
        assert body["current_version"] == "v5.10.0" and body["update_available"] is False

    def test_development_build_never_has_updates(self, version_client, github, admin_headers):
        github.respond(LATEST, RELEASE)
        body = version_client(app_version="dev-123").get("/api/version/check", headers=admin_headers).json()
        assert body["update_available"] is False and body["latest_version"] == "5.10.0"

    def test_platform_version_when_not_configured(self, version_client, github, admin_headers):
        github.respond(LATEST, RELEASE)
        body = version_client(app_version="").get("/api/version/check", headers=admin_headers).json()
        assert body["current_version"] == PlatformSettings.model_fields["app_version"].default == "5.10.0"

    def test_dismissed_release(self, version_client, github, admin, admin_headers, session):
        github.respond(LATEST, RELEASE)
        admin.dismissed_release_version = "5.10.0"
        session.flush()
        body = version_client().get("/api/version/check", headers=admin_headers).json()
        assert body["update_available"] is False and body["latest_version"] == "5.10.0"

    def test_hot_cache_avoids_refetching(self, version_client, github, admin_headers):
        github.respond(LATEST, RELEASE)
        client = version_client()
        for _ in range(3):
            assert client.get("/api/version/check", headers=admin_headers).json()["latest_version"] == "5.10.0"
        assert len(github.requests) == 1

    @pytest.mark.parametrize(
        ("status", "body"),
        [
            (500, RELEASE),
            (403, {"message": "rate limited"}),
            (200, b"{not json"),
            (200, {"tag_name": "nightly"}),
            (404, {}),
        ],  # fmt: skip
    )
    def test_stale_copy_is_used_when_a_fetch_fails(self, version_client, github, admin_headers, status, body):
        github.respond(LATEST, RELEASE)
        client = version_client(version_check_github_cache_ttl=0)
        assert client.get("/api/version/check", headers=admin_headers).json()["latest_version"] == "5.10.0"
        github.respond(LATEST, body, status=status)
        answer = client.get("/api/version/check", headers=admin_headers).json()
        assert answer["latest_version"] == "5.10.0" and answer["update_available"] is True
        assert len(github.requests) == 2

    def test_nothing_known_gives_nulls(self, version_client, github, admin_headers):
        github.respond(LATEST, {}, status=502)
        assert version_client().get("/api/version/check", headers=admin_headers).json() == {
            "update_available": False,
            "current_version": "5.9.0",
            "latest_version": None,
            "release_notes": None,
            "published_at": None,
            "release_url": None,
        }

    def test_unreachable_github_gives_nulls(self, make_app_client, admin_headers):
        client = make_app_client(version_check_github_api_url="http://127.0.0.1:9", app_version="5.9.0")
        assert client.get("/api/version/check", headers=admin_headers).json()["latest_version"] is None

    def test_pre_release_list(self, version_client, github, admin_headers):
        github.respond(LISTING, [{"tag_name": "v6.0.0", "draft": True}, {**RELEASE, "tag_name": "v5.11.0-rc.1"}])
        body = version_client(enable_pre_release_notifications=True).get("/api/version/check", headers=admin_headers)
        assert body.json()["latest_version"] == "5.11.0-rc.1" and body.json()["update_available"] is True
        assert github.requests[0][0] == LISTING

    def test_non_admin_is_403_admin_only(self, version_client, make_user, headers_for):
        user = make_user()
        r = version_client().get("/api/version/check", headers=headers_for(user, "admin:all"))
        assert r.status_code == 403
        assert r.json() == {"success": False, "error": "forbidden", "message": "Admin only", "error_code": "forbidden"}

    def test_any_scope_works_for_an_admin(self, version_client, github, admin, headers_for):
        github.respond(LATEST, RELEASE)
        assert version_client().get("/api/version/check", headers=headers_for(admin)).status_code == 200

    def test_no_identity_is_401(self, client):
        assert client.get("/api/version/check").status_code == 401


class TestDismiss:
    def test_stores_the_normalized_version(self, version_client, github, admin, admin_headers, session):
        github.respond(LATEST, RELEASE)
        client = version_client()
        r = client.post("/api/version/dismiss", json={"latest_version": " v5.10.0 "}, headers=admin_headers)
        assert r.status_code == 200 and r.json() == {"ok": True}
        session.refresh(admin)
        assert admin.dismissed_release_version == "5.10.0"
        assert client.get("/api/version/check", headers=admin_headers).json()["update_available"] is False

    @pytest.mark.parametrize("body", [{}, {"latest_version": ""}, {"latest_version": "  "}, {"latest_version": 5}])
    def test_required(self, client, admin_headers, body):
        r = client.post("/api/version/dismiss", json=body, headers=admin_headers)
        assert r.status_code == 400
        assert r.json()["error"] == "latest_version is required" and r.json()["error_code"] == "validation_error"

    @pytest.mark.parametrize("value", ["dev-123", "latest", "vv5.0"])
    def test_invalid(self, client, admin_headers, value):
        r = client.post("/api/version/dismiss", json={"latest_version": value}, headers=admin_headers)
        assert r.status_code == 400
        assert r.json()["error"] == "invalid latest_version" and r.json()["error_code"] == "validation_error"

    def test_non_admin_is_403(self, client, make_user, headers_for):
        user = make_user()
        r = client.post("/api/version/dismiss", json={"latest_version": "5.0"}, headers=headers_for(user, "read:*"))
        assert r.status_code == 403 and r.json()["message"] == "Admin only"

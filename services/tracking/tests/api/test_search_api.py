"""`/internal/search/{projects,tasks,entries}`: the tracking domains of the global search
(reporting.md §2), called by the reporting service on behalf of a user."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.testing.fixtures import identity_headers

T0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def search_as(client, identity_codec):
    """Search as the reporting service would: a platform identity carrying the user."""

    def run(domain: str, user_id: int | None, q: str, *, role: str = "user", limit=None, **fields):
        headers = identity_headers(
            identity_codec, user_id=user_id, role=role, is_admin=role == "admin", service="reporting", **fields
        )
        params = {"q": q} | ({"limit": limit} if limit is not None else {})
        return client.get(f"/internal/search/{domain}", params=params, headers=headers)

    return run


def titles(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [hit["title"] for hit in response.json()["results"]]


class TestSearchProjects:
    def test_matches_name_and_description_case_insensitively(self, search_as, make_project, next_user_id):
        make_project(name="Globex Portal")
        make_project(name="Intranet", description="for GLOBEX staff")
        make_project(name="Unrelated")
        assert titles(search_as("projects", next_user_id(), "globex", role="admin")) == ["Globex Portal", "Intranet"]

    def test_hit_shape(self, search_as, make_project, next_user_id):
        p = make_project(name="Shape Project", description="Has one")
        bare = make_project(name="Shape Bare")
        hits = search_as("projects", next_user_id(), "shape", role="admin").json()["results"]
        assert hits == [
            {"type": "project", "category": "project", "id": bare.id, "title": "Shape Bare", "description": "",
             "url": f"/projects/{bare.id}", "badge": "Project"},
            {"type": "project", "category": "project", "id": p.id, "title": "Shape Project", "description": "Has one",
             "url": f"/projects/{p.id}", "badge": "Project"},
        ]  # fmt: skip

    @pytest.mark.parametrize("status", ["inactive", "archived", "on_hold"])
    def test_only_active_projects(self, search_as, make_project, next_user_id, status):
        make_project(name="Findme live")
        make_project(name="Findme other", status=status)
        assert titles(search_as("projects", next_user_id(), "findme", role="admin")) == ["Findme live"]

    def test_standard_user_only_finds_projects_in_scope(self, search_as, make_project, next_user_id):
        uid = next_user_id()
        make_project(name="Scope mine", created_by=uid)
        make_project(name="Scope theirs", created_by=uid + 1)
        assert titles(search_as("projects", uid, "scope")) == ["Scope mine"]

    def test_subcontractor_finds_projects_of_assigned_clients(
        self, search_as, make_project, make_known_client, next_user_id
    ):
        assigned = make_known_client()
        make_project(name="Sub assigned", client_id=assigned.id)
        make_project(name="Sub other")
        r = search_as("projects", next_user_id(), "sub", role="subcontractor", client_ids=(assigned.id,))
        assert titles(r) == ["Sub assigned"]

    def test_percent_and_underscore_are_literal(self, search_as, make_project, next_user_id):
        make_project(name="100% Done")
        make_project(name="1000 Done")
        make_project(name="snake_case")
        make_project(name="snakeXcase")
        assert titles(search_as("projects", next_user_id(), "0%", role="admin")) == ["100% Done"]
        assert titles(search_as("projects", next_user_id(), "e_c", role="admin")) == ["snake_case"]
        assert titles(search_as("projects", next_user_id(), "\\", role="admin")) == []

    def test_limit_is_clamped_to_1_50(self, search_as, make_project, next_user_id):
        for i in range(52):
            make_project(name=f"Lim {i:02d}")
        assert len(search_as("projects", next_user_id(), "lim", role="admin", limit=2).json()["results"]) == 2
        assert len(search_as("projects", next_user_id(), "lim", role="admin", limit=0).json()["results"]) == 1
        assert len(search_as("projects", next_user_id(), "lim", role="admin", limit=99).json()["results"]) == 50
        assert len(search_as("projects", next_user_id(), "lim", role="admin").json()["results"]) == 10

    def test_blank_query_finds_nothing(self, search_as, make_project, next_user_id):
        make_project(name="Anything")
        assert search_as("projects", next_user_id(), "   ", role="admin").json() == {"results": []}


class TestSearchTasks:
    def test_hit_shape_and_badge(self, search_as, make_project, make_task, next_user_id):
        p = make_project(name="Apollo")
        t = make_task(p, name="Write docs", status="in_progress")
        [hit] = search_as("tasks", next_user_id(), "docs", role="admin").json()["results"]
        assert hit == {
            "type": "task", "category": "task", "id": t.id, "title": "Write docs", "description": "Apollo",
            "url": f"/tasks/{t.id}", "badge": "In Progress",
        }  # fmt: skip

    @pytest.mark.parametrize(("status", "badge"), [("todo", "Todo"), ("done", "Done"), ("on_hold", "On Hold")])
    def test_badge_is_the_status_in_title_case(self, search_as, make_project, make_task, next_user_id, status, badge):
        make_task(make_project(), name="Badge task", status=status)
        [hit] = search_as("tasks", next_user_id(), "badge", role="admin").json()["results"]
        assert hit["badge"] == badge

    def test_matches_name_and_description(self, search_as, make_project, make_task, next_user_id):
        p = make_project()
        make_task(p, name="Deploy", description="needs the VPN key")
        make_task(p, name="VPN setup")
        make_task(p, name="Other")
        assert titles(search_as("tasks", next_user_id(), "vpn", role="admin")) == ["Deploy", "VPN setup"]

    def test_only_tasks_of_active_projects(self, search_as, make_project, make_task, next_user_id):
        make_task(make_project(), name="Live task")
        make_task(make_project(status="archived"), name="Live task too")
        assert titles(search_as("tasks", next_user_id(), "live", role="admin")) == ["Live task"]

    @pytest.mark.parametrize("role", ["user", "viewer"])
    def test_standard_users_get_tasks_assigned_to_or_created_by_them_in_scope(
        self, search_as, make_project, make_task, next_user_id, role
    ):
        uid = next_user_id()
        own = make_project(created_by=uid)
        make_task(own, name="Job assigned", assigned_to=uid)
        make_task(own, name="Job created", created_by=uid)
        make_task(own, name="Job of someone", created_by=uid + 1)
        make_task(make_project(created_by=uid + 1), name="Job out of scope", created_by=uid, assigned_to=uid)
        assert titles(search_as("tasks", uid, "job", role=role)) == ["Job assigned", "Job created"]

    def test_managers_get_every_task(self, search_as, make_project, make_task, next_user_id):
        p = make_project(created_by=None)
        make_task(p, name="Mgr a", created_by=1)
        make_task(p, name="Mgr b", created_by=2)
        assert titles(search_as("tasks", next_user_id(), "mgr", role="manager")) == ["Mgr a", "Mgr b"]

    def test_subcontractor_gets_every_task_of_assigned_clients(
        self, search_as, make_project, make_task, make_known_client, next_user_id
    ):
        assigned = make_known_client()
        make_task(make_project(client_id=assigned.id), name="Sub task", created_by=1)
        make_task(make_project(), name="Sub hidden", created_by=1)
        r = search_as("tasks", next_user_id(), "sub", role="subcontractor", client_ids=(assigned.id,))
        assert titles(r) == ["Sub task"]

    def test_percent_is_literal_and_limit_applies(self, search_as, make_project, make_task, next_user_id):
        p = make_project()
        for name in ("50% off a", "50% off b", "500 off"):
            make_task(p, name=name)
        assert titles(search_as("tasks", next_user_id(), "0%", role="admin", limit=1)) == ["50% off a"]


class TestSearchEntries:
    def test_hit_shape(self, search_as, make_project, make_task, make_entry, next_user_id):
        uid = next_user_id()
        p = make_project(name="Apollo")
        t = make_task(p, name="Design")
        e = make_entry(uid, p, T0, T0 + timedelta(hours=1, minutes=2, seconds=3), task_id=t.id,
                       notes="Sketched the lander", tags="ui,draft")  # fmt: skip
        [hit] = search_as("entries", uid, "lander").json()["results"]
        assert hit == {
            "type": "entry", "category": "entry", "id": e.id, "title": "Apollo • Design",
            "description": "Sketched the lander [ui,draft]", "url": f"/timer/edit/{e.id}", "badge": "01:02:03",
        }  # fmt: skip

    def test_titles_and_descriptions(self, search_as, make_project, make_task, make_entry, next_user_id):
        uid = next_user_id()
        p = make_project(name="Apollo")
        t = make_task(p, name="Orphan")
        long_notes = "x" * 150 + " probe"
        make_entry(uid, p, T0, T0 + timedelta(hours=1), notes="probe project only")
        make_entry(uid, None, T0 - timedelta(days=1), T0 - timedelta(days=1) + timedelta(hours=1), task_id=t.id,
                   notes="probe task only")  # fmt: skip
        make_entry(uid, None, T0 - timedelta(days=2), T0 - timedelta(days=2) + timedelta(hours=1), tags="probe")
        make_entry(uid, p, T0 - timedelta(days=3), T0 - timedelta(days=3) + timedelta(hours=1), notes=long_notes)
        hits = search_as("entries", uid, "probe").json()["results"]
        assert [(h["title"], h["description"]) for h in hits] == [
            ("Apollo", "probe project only"),
            ("• Orphan", "probe task only"),
            ("Time Entry", " [probe]"),
            ("Apollo", "x" * 100),
        ]

    def test_matches_notes_and_tags_newest_first(self, search_as, make_project, make_entry, next_user_id):
        uid = next_user_id()
        p = make_project()
        older = make_entry(uid, p, T0, T0 + timedelta(hours=1), notes="call with ACME")
        newer = make_entry(uid, p, T0 + timedelta(days=1), T0 + timedelta(days=1, hours=1), tags="acme,phone")
        make_entry(uid, p, T0 + timedelta(days=2), T0 + timedelta(days=2, hours=1), notes="other")
        hits = search_as("entries", uid, "acme").json()["results"]
        assert [h["id"] for h in hits] == [newer.id, older.id]

    def test_running_timers_are_not_found(self, search_as, make_project, make_entry, next_user_id):
        uid = next_user_id()
        make_entry(uid, make_project(), T0, None, notes="running probe")
        assert search_as("entries", uid, "probe").json()["results"] == []

    def test_non_admins_find_only_their_own_entries(self, search_as, make_project, make_entry, next_user_id):
        uid = next_user_id()
        p = make_project(created_by=uid)
        mine = make_entry(uid, p, T0, T0 + timedelta(hours=1), notes="shared word")
        theirs = make_entry(uid + 1, p, T0, T0 + timedelta(hours=1), notes="shared word")
        assert [h["id"] for h in search_as("entries", uid, "shared", role="manager").json()["results"]] == [mine.id]
        admin_hits = search_as("entries", next_user_id(), "shared", role="admin").json()["results"]
        assert sorted(h["id"] for h in admin_hits) == sorted([mine.id, theirs.id])

    def test_underscore_is_literal_and_limit_applies(self, search_as, make_project, make_entry, next_user_id):
        uid = next_user_id()
        p = make_project()
        for day, notes in enumerate(["fix_bug", "fix_bug again", "fixabug"]):
            start = T0 + timedelta(days=day)
            make_entry(uid, p, start, start + timedelta(hours=1), notes=notes)
        assert titles(search_as("entries", uid, "x_b")) == [p.name, p.name]
        assert len(search_as("entries", uid, "x_b", limit=1).json()["results"]) == 1

    def test_identity_without_a_user_finds_no_entries(self, search_as, make_project, make_entry, next_user_id):
        make_entry(next_user_id(), make_project(), T0, T0 + timedelta(hours=1), notes="nobody")
        assert search_as("entries", None, "nobody").json()["results"] == []


class TestInternalOnly:
    @pytest.mark.parametrize("domain", ["projects", "tasks", "entries"])
    def test_user_tokens_cannot_call_it(self, client, admin_headers, domain):
        r = client.get(f"/internal/search/{domain}", params={"q": "ab"}, headers=admin_headers)
        assert r.status_code == 403 and r.json()["error_code"] == "forbidden"

    def test_not_in_the_openapi_document(self, client):
        paths = client.get("/openapi.json").json()["paths"]
        assert not any(path.startswith("/internal/") for path in paths)

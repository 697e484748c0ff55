"""`POST /api/v1/time-entries/bulk` (tracking.md §4.7): refusals change nothing and record no
event; running timers are skipped for every action. Concurrency: test_bulk_concurrency_api."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracking.models import TimeEntry

URL = "/api/v1/time-entries/bulk"
START = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)
ENTRY_SUBJECTS = ("tt.tracking.time_entry.updated", "tt.tracking.time_entry.deleted")


@pytest.fixture
def project(make_project):
    return make_project(name="Website")


@pytest.fixture
def completed(make_entry, user_id, project):
    """`completed(hour, **fields)`: a completed one-hour entry of the standard user."""

    def make(hour: int = 0, *, owner: int | None = None, **fields):
        start = START + timedelta(hours=hour)
        return make_entry(owner or user_id, project, start, start + timedelta(hours=1), **fields)

    return make


@pytest.fixture
def running(make_entry, user_id, project):
    return make_entry(user_id, project, START + timedelta(days=1))


@pytest.fixture
def stored(session):
    """The entries' columns as stored now, None for a deleted one."""

    def read(*entries) -> list[dict | None]:
        ids = [e.id for e in entries]
        session.expire_all()
        rows = [session.get(TimeEntry, i) for i in ids]
        return [None if r is None else {c.key: getattr(r, c.key) for c in r.__table__.columns} for r in rows]

    return read


@pytest.fixture
def refused(client, user_headers, stored, outbox_events):
    """Posts `body`; asserts status and code, and that no entry and no outbox row changed."""

    def check(body: dict, status: int, code: str, *entries, headers=None) -> dict:
        before = stored(*entries)
        r = client.post(URL, json=body, headers=headers or user_headers)
        assert (r.status_code, r.json()["error_code"]) == (status, code), r.text
        assert stored(*entries) == before
        assert [e for s in ENTRY_SUBJECTS for e in outbox_events(s)] == []
        return r.json()

    return check


def bulk(client, headers, entry_ids, action, value=None):
    r = client.post(URL, json={"entry_ids": entry_ids, "action": action, "value": value}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


class TestBulkValidation:
    @pytest.mark.parametrize(
        "body", [{}, {"entry_ids": []}, {"entry_ids": "1,2"}, {"entry_ids": 3}, {"entry_ids": None}]
    )
    def test_entry_ids_must_be_a_non_empty_list(self, refused, completed, body):
        out = refused(body | {"action": "delete"}, 400, "validation_error", completed())
        assert out["errors"] == {"entry_ids": ["Must be a non-empty list of integer ids"]}

    @pytest.mark.parametrize("ids", [["a"], [1, None], [True], [1.5], [{"id": 1}], [""]])
    def test_every_id_must_be_an_integer(self, refused, completed, ids):
        e = completed()
        out = refused({"entry_ids": [e.id, *ids], "action": "delete"}, 400, "validation_error", e)
        assert out["errors"] == {"entry_ids": ["All entry ids must be integers"]}

    @pytest.mark.parametrize("action", [None, "archive", "DELETE", 5, ["delete"]])
    def test_unsupported_action(self, refused, completed, action):
        e = completed()
        out = refused({"entry_ids": [e.id], "action": action}, 400, "validation_error", e)
        assert out["errors"] == {"action": ["Unsupported action"]}

    def test_ids_are_checked_before_the_action(self, refused):
        out = refused({"entry_ids": [], "action": "archive"}, 400, "validation_error")
        assert out["errors"] == {"entry_ids": ["Must be a non-empty list of integer ids"]}

    @pytest.mark.parametrize("action", ["add_tag", "remove_tag"])
    @pytest.mark.parametrize("value", [None, "", "   ", " , ", 7, ["a"]])
    def test_tag_actions_need_a_tag(self, refused, completed, action, value):
        e = completed(tags="a")
        body = {"entry_ids": [e.id], "action": action} | ({} if value is None else {"value": value})
        out = refused(body, 400, "validation_error", e)
        assert out["errors"] == {"value": ["Tag value is required"]}

    def test_validation_comes_before_the_lookup(self, refused):
        refused({"entry_ids": [987654321], "action": "rename"}, 400, "validation_error")

    def test_write_scope_required(self, refused, headers_for, user_id, completed):
        e = completed()
        out = refused(
            {"entry_ids": [e.id], "action": "delete"},
            403,
            "forbidden",
            e,
            headers=headers_for(user_id, "read:time_entries", "write:projects"),
        )
        assert out["required_scope"] == "write:time_entries"


class TestBulkLookupAndAccess:
    @pytest.mark.parametrize("ids", [[987654321], [99999999999], ["99999999999999999999999"], [0, -4]])
    def test_no_existing_entry_is_404(self, refused, ids):
        out = refused({"entry_ids": ids, "action": "set_paid", "value": True}, 404, "not_found")
        assert out["error"] == "No entries found"

    def test_unknown_ids_are_ignored(self, client, user_headers, completed, stored):
        e = completed()
        assert bulk(client, user_headers, [987654321, e.id, 99999999999, str(e.id)], "set_paid", True) == {
            "success": True,
            "affected": 1,
        }
        assert stored(e)[0]["paid"] is True

    def test_another_users_entry_refuses_the_whole_call(self, refused, completed, user_id):
        mine, theirs = completed(0), completed(2, owner=user_id + 1)
        out = refused({"entry_ids": [mine.id, theirs.id], "action": "delete"}, 403, "forbidden", mine, theirs)
        assert out["error"] == "Access denied for one or more entries"

    def test_another_users_running_timer_also_refuses(self, refused, completed, make_entry, project, user_id):
        mine = completed()
        theirs = make_entry(user_id + 1, project, START + timedelta(days=2))
        refused({"entry_ids": [mine.id, theirs.id], "action": "set_billable"}, 403, "forbidden", mine, theirs)

    def test_admin_acts_on_anyones_entries(self, client, admin_headers, completed, user_id, stored):
        a, b = completed(0), completed(2, owner=user_id + 1)
        assert bulk(client, admin_headers, [a.id, b.id], "set_billable", False)["affected"] == 2
        assert [s["billable"] for s in stored(a, b)] == [False, False]

    def test_the_route_is_not_taken_for_an_entry_id(self, client, user_headers, completed):
        e = completed()
        assert client.get(f"/api/v1/time-entries/{e.id}", headers=user_headers).status_code == 200
        r = client.patch(URL, json={}, headers=user_headers)
        assert (r.status_code, r.json()["error_code"]) == (405, "method_not_allowed")


class TestBulkRunningEntries:
    @pytest.mark.parametrize(
        ("action", "value"), [("delete", None), ("set_billable", False), ("set_paid", True), ("add_tag", "x")]
    )
    def test_only_running_entries_is_invalid_state(self, refused, running, action, value):
        out = refused({"entry_ids": [running.id], "action": action, "value": value}, 400, "invalid_state", running)
        assert "running" in out["message"]

    @pytest.mark.parametrize(
        ("action", "value"),
        [("delete", None), ("set_billable", False), ("set_paid", True), ("add_tag", "x"), ("remove_tag", "a")],
    )
    def test_running_entries_are_skipped(
        self, client, user_headers, user_id, project, make_entry, completed, stored, action, value
    ):
        running = make_entry(user_id, project, START + timedelta(days=1), tags="a")
        e = completed(tags="a")
        before = stored(running)
        assert bulk(client, user_headers, [e.id, running.id], action, value)["affected"] == 1
        assert stored(running) == before


class TestBulkDelete:
    def test_deletes_and_records_each_last_state(self, client, user_headers, completed, stored, outbox_events):
        a, b = completed(0, notes="first"), completed(2, notes="second")
        ids = [a.id, b.id]
        assert bulk(client, user_headers, ids, "delete", "ignored") == {"success": True, "affected": 2}
        assert stored(a, b) == [None, None]
        events = outbox_events("tt.tracking.time_entry.deleted")
        assert [(e["entity_id"], e["data"]["notes"]) for e in events] == [
            (str(ids[0]), "first"),
            (str(ids[1]), "second"),
        ]
        assert events[0]["data"]["project"] == "Website" and events[0]["data"]["duration_seconds"] == 3600
        assert outbox_events("tt.tracking.time_entry.updated") == []


class TestBulkFlags:
    @pytest.mark.parametrize(
        ("value", "expected"), [(False, False), (0, False), ("", False), (True, True), ("no", True)]
    )
    def test_set_billable_by_truthiness(self, client, user_headers, completed, stored, value, expected):
        a, b = completed(0, billable=not expected), completed(2, billable=expected)
        assert bulk(client, user_headers, [a.id, b.id], "set_billable", value)["affected"] == 2
        assert [s["billable"] for s in stored(a, b)] == [expected, expected]

    def test_set_billable_without_value_is_false(self, client, user_headers, completed, stored):
        e = completed()
        client.post(URL, json={"entry_ids": [e.id], "action": "set_billable"}, headers=user_headers)
        assert stored(e)[0]["billable"] is False

    def test_set_paid_true_keeps_the_invoice_number(self, client, user_headers, completed, stored):
        e = completed(invoice_number="INV-9")
        bulk(client, user_headers, [e.id], "set_paid", True)
        assert (stored(e)[0]["paid"], stored(e)[0]["invoice_number"]) == (True, "INV-9")

    def test_set_paid_false_clears_the_invoice_number(self, client, user_headers, completed, stored):
        e = completed(paid=True, invoice_number="INV-9")
        bulk(client, user_headers, [e.id], "set_paid", False)
        assert (stored(e)[0]["paid"], stored(e)[0]["invoice_number"]) == (False, None)

    def test_each_entry_gets_an_updated_event_with_its_new_state(
        self, client, user_headers, completed, outbox_events, stored
    ):
        a, b = completed(0), completed(2)
        old = stored(a)[0]["updated_at"]
        bulk(client, user_headers, [b.id, a.id], "set_paid", True)
        events = outbox_events("tt.tracking.time_entry.updated")
        assert [e["entity_id"] for e in events] == [str(a.id), str(b.id)]
        assert all(e["data"]["paid"] is True for e in events)
        assert stored(a)[0]["updated_at"] > old
        assert events[0]["data"]["updated_at"] != events[0]["data"]["created_at"]


class TestBulkTags:
    @pytest.mark.parametrize(
        ("tags", "value", "expected"),
        [
            (None, "urgent", "urgent"),
            ("b, a", "c", "a, b, c"),
            ("beta,alpha", " alpha ", "alpha, beta"),
            (" z ,, y,", "x", "x, y, z"),
            ("a", "c, b", "a, b, c"),
            ("a", "A", "A, a"),
        ],
    )
    def test_add_tag_keeps_a_sorted_set(self, client, user_headers, completed, stored, tags, value, expected):
        e = completed(tags=tags)
        assert bulk(client, user_headers, [e.id], "add_tag", value)["affected"] == 1
        assert stored(e)[0]["tags"] == expected

    @pytest.mark.parametrize(
        ("tags", "value", "expected"),
        [("b, a, c", "b", "a, c"), ("a", "a", None), (None, "a", None), ("c,a", "z", "a, c"), ("a, b, c", "a,c", "b")],
    )
    def test_remove_tag(self, client, user_headers, completed, stored, tags, value, expected):
        e = completed(tags=tags)
        assert bulk(client, user_headers, [e.id], "remove_tag", value)["affected"] == 1
        assert stored(e)[0]["tags"] == expected

    def test_tag_list_in_the_event(self, client, user_headers, completed, outbox_events):
        e = completed(tags="web")
        bulk(client, user_headers, [e.id], "add_tag", "api")
        [event] = outbox_events("tt.tracking.time_entry.updated")
        assert (event["data"]["tags"], event["data"]["tag_list"]) == ("api, web", ["api", "web"])

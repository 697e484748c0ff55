"""`POST /api/v1/time-entries/import-csv` (tracking.md §4.6), part 1: the three input forms, the
whole-file refusals and the scope. Row rules: test_import_csv_rows_api."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracking.models import TimeEntry

URL = "/api/v1/time-entries/import-csv"
HEADER = "project_id,start_time,end_time,notes\n"


@pytest.fixture
def project(make_project, user_id):
    return make_project(name="Website", created_by=user_id)


@pytest.fixture
def csv_text(project):
    return HEADER + f"{project.id},2024-01-15T10:00,2024-01-15T11:00,Call\n{project.id},2024-01-15T12:00,,x\n"


@pytest.fixture
def entries(session):
    """The stored entries, oldest start first."""

    def read() -> list[TimeEntry]:
        session.expire_all()
        return list(session.scalars(select(TimeEntry).order_by(TimeEntry.start_time)))

    return read


@pytest.fixture
def nothing_imported(session, outbox_events):
    def check() -> None:
        assert session.scalar(select(func.count()).select_from(TimeEntry)) == 0
        assert outbox_events() == []

    return check


def imported(r) -> dict:
    assert r.status_code == 200, r.text
    return r.json()


TIMES_REQUIRED = "start_time and end_time required (ISO 8601)"
EXPECTED = {"success": True, "created": 1, "failed": 1, "errors": [{"row": 3, "error": TIMES_REQUIRED}]}


class TestImportInputForms:
    def test_multipart_file(self, client, user_headers, csv_text, entries):
        files = {"file": ("entries.csv", csv_text.encode(), "text/csv")}
        assert imported(client.post(URL, files=files, headers=user_headers)) == EXPECTED
        assert [e.notes for e in entries()] == ["Call"]

    def test_multipart_file_with_invalid_utf8_bytes(self, client, user_headers, project, entries):
        raw = (HEADER + f"{project.id},2024-01-15T10:00,2024-01-15T11:00,Caf\xe9 ").encode("latin-1")
        files = {"file": ("entries.csv", raw, "text/csv")}
        assert imported(client.post(URL, files=files, headers=user_headers))["created"] == 1
        assert [e.notes for e in entries()] == ["Caf\ufffd"]

    def test_multipart_other_fields_are_ignored(self, client, user_headers, csv_text):
        r = client.post(URL, files={"file": ("a.csv", csv_text.encode())}, data={"csv": "x"}, headers=user_headers)
        assert imported(r) == EXPECTED

    @pytest.mark.parametrize("key", ["csv", "data"])
    def test_json_body(self, client, user_headers, csv_text, entries, key):
        assert imported(client.post(URL, json={key: csv_text}, headers=user_headers)) == EXPECTED
        assert len(entries()) == 1

    def test_json_csv_wins_over_data(self, client, user_headers, csv_text):
        r = client.post(URL, json={"csv": csv_text, "data": "project_id\n1\n"}, headers=user_headers)
        assert imported(r) == EXPECTED

    def test_json_empty_csv_falls_back_to_data(self, client, user_headers, csv_text):
        assert imported(client.post(URL, json={"csv": "", "data": csv_text}, headers=user_headers)) == EXPECTED

    @pytest.mark.parametrize("content_type", ["text/csv", "text/plain; charset=utf-8", "application/octet-stream"])
    def test_raw_body(self, client, user_headers, csv_text, entries, content_type):
        r = client.post(URL, content=csv_text.encode(), headers=user_headers | {"Content-Type": content_type})
        assert imported(r) == EXPECTED
        assert len(entries()) == 1

    def test_raw_body_without_content_type(self, client, user_headers, csv_text):
        assert imported(client.post(URL, content=csv_text.encode(), headers=user_headers)) == EXPECTED

    def test_csv_declared_as_json(self, client, user_headers, csv_text):
        headers = user_headers | {"Content-Type": "application/json"}
        assert imported(client.post(URL, content=csv_text.encode(), headers=headers)) == EXPECTED

    def test_windows_line_endings_and_a_byte_order_mark(self, client, user_headers, csv_text):
        raw = ("\ufeff" + csv_text.replace("\n", "\r\n")).encode()
        r = client.post(URL, content=raw, headers=user_headers | {"Content-Type": "text/csv"})
        assert imported(r) == EXPECTED


class TestImportWholeFileRefusals:
    def refused(self, r, message: str) -> None:
        assert (r.status_code, r.json()["error_code"]) == (400, "validation_error"), r.text
        assert r.json()["error"] == message
        assert r.json()["errors"] == {"csv": [message]}

    @pytest.mark.parametrize("body", [{}, {"csv": ""}, {"csv": "  \n "}, {"data": None}, {"file": "x"}])
    def test_empty_json_input(self, client, user_headers, nothing_imported, body):
        self.refused(client.post(URL, json=body, headers=user_headers), "Empty CSV")
        nothing_imported()

    @pytest.mark.parametrize("content_type", [None, "application/json", "text/csv"])
    def test_empty_body(self, client, user_headers, nothing_imported, content_type):
        headers = user_headers | ({"Content-Type": content_type} if content_type else {})
        self.refused(client.post(URL, content=b"", headers=headers), "Empty CSV")
        nothing_imported()

    def test_whitespace_only_text(self, client, user_headers, nothing_imported):
        r = client.post(URL, content=b" \r\n\t\n", headers=user_headers | {"Content-Type": "text/csv"})
        self.refused(r, "Empty CSV")

    def test_empty_file(self, client, user_headers, nothing_imported):
        self.refused(client.post(URL, files={"file": ("a.csv", b"")}, headers=user_headers), "Empty CSV")

    def test_multipart_without_a_file_field(self, client, user_headers, csv_text, nothing_imported):
        r = client.post(URL, files={"upload": ("a.csv", csv_text.encode())}, headers=user_headers)
        self.refused(r, "Empty CSV")
        nothing_imported()

    def test_no_header_row(self, client, user_headers, project, nothing_imported):
        text = f"\n{project.id},2024-01-15T10:00,2024-01-15T11:00\n"
        self.refused(client.post(URL, json={"csv": text}, headers=user_headers), "CSV must include a header row")
        nothing_imported()

    def test_a_broken_file_imports_nothing(self, client, user_headers, project, nothing_imported):
        text = HEADER + f'{project.id},2024-01-15T10:00,2024-01-15T11:00,ok\n1,2,3,"' + "x" * 200_000 + '"\n'
        r = client.post(URL, json={"csv": text}, headers=user_headers)
        assert (r.status_code, r.json()["error_code"], r.json()["error"]) == (400, "validation_error", "Invalid CSV")
        nothing_imported()

    @pytest.mark.parametrize("raw", [b'{"csv": ', b"[1, 2]", b'{"csv": "a"} x'])
    def test_broken_json_is_a_bad_request(self, client, user_headers, nothing_imported, raw):
        r = client.post(URL, content=raw, headers=user_headers | {"Content-Type": "application/json"})
        assert (r.status_code, r.json()["error_code"]) == (400, "bad_request")
        nothing_imported()

    def test_csv_value_must_be_text(self, client, user_headers, nothing_imported):
        r = client.post(URL, json={"csv": ["project_id"]}, headers=user_headers)
        assert (r.status_code, r.json()["errors"]) == (400, {"csv": ["CSV text must be a string"]})

    def test_header_without_rows_imports_nothing(self, client, user_headers):
        assert imported(client.post(URL, json={"csv": HEADER}, headers=user_headers)) == {
            "success": True,
            "created": 0,
            "failed": 0,
            "errors": [],
        }


class TestImportScope:
    def test_write_scope_required(self, client, headers_for, user_id, csv_text, nothing_imported):
        headers = headers_for(user_id, "read:time_entries", "write:projects")
        r = client.post(URL, json={"csv": csv_text}, headers=headers)
        assert (r.status_code, r.json()["error_code"]) == (403, "forbidden")
        assert r.json()["required_scope"] == "write:time_entries"
        nothing_imported()

    def test_scope_comes_before_the_body(self, client, headers_for, user_id):
        r = client.post(URL, json={"csv": ""}, headers=headers_for(user_id, "read:*"))
        assert (r.status_code, r.json()["error_code"]) == (403, "forbidden")

    def test_write_time_entries_is_enough(self, client, headers_for, user_id, csv_text):
        r = client.post(URL, json={"csv": csv_text}, headers=headers_for(user_id, "write:time_entries"))
        assert imported(r)["created"] == 1

"""`GET /api/v1/exports/payroll` (reporting.md §3): hours per user and ISO week as CSV."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

URL = "/api/v1/exports/payroll"
HEADER = "user_id,username,week_year,week_number,period_start,period_end,hours,billable_hours,non_billable_hours"
RANGE = {"start_date": "2024-12-23", "end_date": "2025-01-05"}


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def csv_text(*lines: str) -> str:
    return "".join(line + "\r\n" for line in (HEADER, *lines))


@pytest.fixture
def two_users(user, entry):
    """`zoe` (lower id) and `adam` around the 2024/2025 ISO year boundary; Rome is UTC+1.

    Week 2024-W52 is Mon 2024-12-23 … Sun 2024-12-29; week 2025-W01 is Mon 2024-12-30 …
    Sun 2025-01-05 (2024-12-30 belongs to ISO year 2025)."""
    zoe = user(username="zoe")["id"]
    adam = user(username="adam")["id"]
    # zoe, W52: Sunday 11:00–12:30 Rome, billable 5400 s.
    entry(user_id=zoe, start=utc(2024, 12, 29, 10), end=utc(2024, 12, 29, 11, 30))
    # zoe, W01: Sunday 23:30 UTC is Monday 00:30 in Rome, so the app zone puts it in W01.
    entry(user_id=zoe, start=utc(2024, 12, 29, 23, 30), end=utc(2024, 12, 30, 0, 30), billable=False)
    entry(user_id=zoe, start=utc(2025, 1, 5, 21), end=utc(2025, 1, 5, 22))  # Sunday 22:00 Rome, W01
    entry(user_id=zoe, start=utc(2025, 1, 5, 23, 15), end=utc(2025, 1, 5, 23, 45))  # Monday 6 Jan in Rome: outside
    # adam, W52: Sunday 22 Dec 23:30 Rome is before the range; Monday 23 Dec 00:30 Rome is in.
    entry(user_id=adam, start=utc(2024, 12, 22, 22, 30), end=utc(2024, 12, 22, 23))
    entry(user_id=adam, start=utc(2024, 12, 22, 23, 30), end=utc(2024, 12, 23, 1, 30), billable=False)
    # adam, W01: three 20-minute billable entries (per-entry rounding would make 0.99 h, raw 1.0 h)
    for day in (31, 1, 2):
        start = utc(2024, 12, 31, 9) if day == 31 else utc(2025, 1, day, 9)
        entry(user_id=adam, start=start, end=start + timedelta(minutes=20))
    entry(user_id=adam, start=utc(2025, 1, 3, 9), end=utc(2025, 1, 3, 9) + timedelta(seconds=1000), billable=False)
    entry(user_id=adam, start=utc(2025, 1, 3, 14), end=None)  # running timer: not counted
    gone = entry(user_id=adam, start=utc(2025, 1, 4, 9), end=utc(2025, 1, 4, 17))
    entry(action="deleted", **gone)
    return zoe, adam


class TestPayrollExport:
    def test_rows_per_user_and_iso_week_sorted_by_week_then_username(self, client, admin_headers, two_users):
        zoe, adam = two_users
        response = client.get(URL, params=RANGE, headers=admin_headers)
        assert response.status_code == 200, response.text
        # adam W01: 3 × 1200 s billable + 1000 s non-billable = 4600 s → 1.28 h (1.0 + 0.28)
        assert response.text == csv_text(
            f"{adam},adam,2024,52,2024-12-23,2024-12-29,2.0,0.0,2.0",
            f"{zoe},zoe,2024,52,2024-12-23,2024-12-29,1.5,1.5,0.0",
            f"{adam},adam,2025,1,2024-12-30,2025-01-05,1.28,1.0,0.28",
            f"{zoe},zoe,2025,1,2024-12-30,2025-01-05,2.0,1.0,1.0",
        )

    def test_csv_headers_and_file_name(self, client, admin_headers, two_users):
        response = client.get(URL, params=RANGE, headers=admin_headers)
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.headers["content-disposition"] == (
            "attachment; filename=payroll_export_2024-12-23_2025-01-05.csv"
        )
        assert response.headers["x-tt-freshness"] == "eventual"
        assert response.content.count(b"\r\n") == 5 and b"\n" not in response.content.replace(b"\r\n", b"")

    def test_admin_may_pick_one_user(self, client, admin_headers, two_users):
        zoe, _ = two_users
        response = client.get(URL, params={**RANGE, "user_id": str(zoe)}, headers=admin_headers)
        assert response.text == csv_text(
            f"{zoe},zoe,2024,52,2024-12-23,2024-12-29,1.5,1.5,0.0",
            f"{zoe},zoe,2025,1,2024-12-30,2025-01-05,2.0,1.0,1.0",
        )

    def test_unparseable_user_id_is_ignored_for_admins(self, client, admin_headers, two_users):
        response = client.get(URL, params={**RANGE, "user_id": "abc"}, headers=admin_headers)
        assert response.status_code == 200
        assert len(response.text.split("\r\n")) == 6  # header + 4 rows + final empty

    def test_non_admin_gets_only_own_rows_even_naming_another_user(self, client, headers_for, two_users):
        zoe, adam = two_users
        headers = headers_for(adam, "read:reports")
        own = csv_text(
            f"{adam},adam,2024,52,2024-12-23,2024-12-29,2.0,0.0,2.0",
            f"{adam},adam,2025,1,2024-12-30,2025-01-05,1.28,1.0,0.28",
        )
        assert client.get(URL, params=RANGE, headers=headers).text == own
        other = client.get(URL, params={**RANGE, "user_id": str(zoe)}, headers=headers)
        assert other.status_code == 200
        assert other.text == own

    def test_one_week_of_one_day(self, client, headers_for, two_users):
        _, adam = two_users
        response = client.get(URL, params={"start_date": "2025-01-03", "end_date": "2025-01-03"},
                              headers=headers_for(adam, "read:reports"))  # fmt: skip
        assert response.text == csv_text(f"{adam},adam,2025,1,2024-12-30,2025-01-05,0.28,0.0,0.28")

    @pytest.mark.parametrize("flag", ["approved_only", "closed_only"])
    @pytest.mark.parametrize("value", ["true", "TRUE", "True"])
    def test_approved_or_closed_only_yields_the_header_alone(self, client, admin_headers, two_users, flag, value):
        response = client.get(URL, params={**RANGE, flag: value}, headers=admin_headers)
        assert response.status_code == 200
        assert response.text == csv_text()

    def test_false_approved_only_keeps_every_week(self, client, admin_headers, two_users):
        response = client.get(
            URL, params={**RANGE, "approved_only": "false", "closed_only": "1"}, headers=admin_headers
        )
        assert len(response.text.split("\r\n")) == 6

    def test_start_after_end_is_header_only(self, client, admin_headers, two_users):
        response = client.get(URL, params={"start_date": "2025-01-05", "end_date": "2024-12-23"}, headers=admin_headers)
        assert response.status_code == 200
        assert response.text == csv_text()
        assert "payroll_export_2025-01-05_2024-12-23.csv" in response.headers["content-disposition"]

    def test_a_user_unknown_to_the_replica_is_named_by_id(self, client, admin_headers, entry, next_user_id):
        stranger = next_user_id()
        entry(user_id=stranger, start=utc(2024, 3, 5, 9), end=utc(2024, 3, 5, 10))
        response = client.get(URL, params={"start_date": "2024-03-01", "end_date": "2024-03-31"}, headers=admin_headers)
        assert response.text == csv_text(f"{stranger},user{stranger},2024,10,2024-03-04,2024-03-10,1.0,1.0,0.0")

    def test_an_updated_entry_counts_in_its_new_week(self, client, headers_for, user_id, entry):
        moved = entry(user_id=user_id, start=utc(2024, 3, 5, 9), end=utc(2024, 3, 5, 10))
        entry(action="updated", **dict(moved, start_time="2024-03-12T09:00:00Z", end_time="2024-03-12T11:00:00Z",
                                       duration_seconds=7200))  # fmt: skip
        response = client.get(URL, params={"start_date": "2024-03-01", "end_date": "2024-03-31"},
                              headers=headers_for(user_id, "read:reports"))  # fmt: skip
        assert response.text == csv_text(f"{user_id},user{user_id},2024,11,2024-03-11,2024-03-17,2.0,2.0,0.0")


class TestPayrollExportErrors:
    def expect_dates_error(self, response, *fields: str) -> None:
        assert response.status_code == 400
        body = response.json()
        assert body["success"] is False
        assert body["error_code"] == "validation_error"
        assert body["error"] == "Validation failed"
        assert "start_date" in body["message"] and "end_date" in body["message"]
        assert sorted(body["errors"]) == sorted(fields)
        assert all(isinstance(messages, list) and messages for messages in body["errors"].values())

    def test_both_dates_missing(self, client, admin_headers):
        self.expect_dates_error(client.get(URL, headers=admin_headers), "start_date", "end_date")

    def test_one_date_missing(self, client, admin_headers):
        response = client.get(URL, params={"start_date": "2024-01-01"}, headers=admin_headers)
        self.expect_dates_error(response, "end_date")

    @pytest.mark.parametrize(
        "bad", ["", "yesterday", "2024-13-01", "2024-02-30", "2024-01-01T10:00:00", "01/02/2024", "2024-01-01\x00",
                "'; DROP TABLE x; --", "9" * 5000, "-2024-01-01", "99999-01-01"],
    )  # fmt: skip
    def test_unparseable_dates(self, client, admin_headers, bad):
        response = client.get(URL, params={"start_date": bad, "end_date": "2024-01-31"}, headers=admin_headers)
        self.expect_dates_error(response, "start_date")

    def test_dates_are_checked_before_the_approval_flags(self, client, admin_headers):
        response = client.get(URL, params={"approved_only": "true"}, headers=admin_headers)
        self.expect_dates_error(response, "start_date", "end_date")

    def test_needs_read_reports(self, client, headers_for, user_id):
        response = client.get(URL, params=RANGE, headers=headers_for(user_id, "read:time_entries"))
        assert response.status_code == 403
        assert response.json()["error_code"] == "forbidden"

    @pytest.mark.parametrize(
        "params",
        [
            {"user_id": "99999999999999999999"},
            {"user_id": "-5"},
            {"user_id": "1\x00"},
            {"start_date": "0001-01-01", "end_date": "9999-12-31"},
            {"approved_only": "\x00" * 100},
        ],
    )
    def test_hostile_values_never_fail(self, client, admin_headers, headers_for, user_id, params):
        for headers in (admin_headers, headers_for(user_id, "read:reports")):
            response = client.get(URL, params={**RANGE, **params}, headers=headers)
            assert response.status_code == 200, response.text
            assert response.text.startswith(HEADER + "\r\n")

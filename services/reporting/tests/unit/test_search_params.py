"""Global search parameters (reporting.md §2): `q` trimming, `limit` clamping, `types` parsing."""

from __future__ import annotations

import pytest

from reporting.search.service import parse_limit, parse_types, query_text


def domain_types(raw: str | None) -> list[str]:
    return [d.type for d in parse_types(raw)]


class TestQueryText:
    def test_surrounding_whitespace_is_trimmed(self):
        assert query_text("  website \t\n") == "website"

    def test_missing_query_is_empty(self):
        assert query_text(None) == ""

    def test_inner_spaces_are_kept(self):
        assert query_text(" web site ") == "web site"


class TestLimit:
    @pytest.mark.parametrize("raw", [None, "", "   ", "ten", "2.5", "1e3", "0x10", "10abc"])
    def test_absent_or_unparseable_is_ten(self, raw):
        assert parse_limit(raw) == 10

    @pytest.mark.parametrize(("raw", "expected"), [("1", 1), ("25", 25), (" 7 ", 7), ("50", 50)])
    def test_values_within_range_are_kept(self, raw, expected):
        assert parse_limit(raw) == expected

    @pytest.mark.parametrize(("raw", "expected"), [("0", 1), ("-5", 1), ("51", 50), ("99999999999999999999", 50)])
    def test_values_out_of_range_are_clamped(self, raw, expected):
        assert parse_limit(raw) == expected


class TestTypes:
    def test_absent_searches_every_domain_in_order(self):
        assert domain_types(None) == ["project", "task", "client", "entry"]

    def test_blank_searches_every_domain(self):
        assert domain_types("  ") == ["project", "task", "client", "entry"]

    def test_names_are_case_insensitive_and_trimmed(self):
        assert domain_types(" TASK , Client") == ["task", "client"]

    def test_search_order_does_not_follow_the_list_order(self):
        assert domain_types("entry,project") == ["project", "entry"]

    def test_unknown_names_are_ignored(self):
        assert domain_types("project,invoice,projects") == ["project"]

    @pytest.mark.parametrize("raw", ["nothing", ",", "projects,tasks", "'; drop table x"])
    def test_nothing_valid_searches_no_domain(self, raw):
        assert domain_types(raw) == []

    def test_repeated_names_search_once(self):
        assert domain_types("task,TASK,task") == ["task"]

    def test_domains_carry_their_error_keys(self):
        assert [d.key for d in parse_types(None)] == ["projects", "tasks", "clients", "entries"]

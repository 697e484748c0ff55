"""Contact name rules (crm.md §3.1, §3.3): the mobile app's `name` split, required names, display."""

from __future__ import annotations

import pytest

from crm.contacts.rules import NAMES_REQUIRED, creation_names, display_name, full_name, split_name
from shared.errors import ValidationError


class TestSplitName:
    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("Ada Lovelace", ("Ada", "Lovelace")),
            ("Jean Luc Picard", ("Jean", "Luc Picard")),
            ("  Grace   Brewster Hopper  ", ("Grace", "Brewster Hopper")),
            ("Ada\tLovelace", ("Ada", "Lovelace")),
            ("Madonna", ("Madonna", "")),
            ("   ", ("", "")),
        ],
    )
    def test_splits_on_the_first_whitespace(self, name, expected):
        assert split_name(name) == expected


class TestCreationNames:
    def test_both_parts_are_kept(self):
        assert creation_names("Ada", "Lovelace", None) == ("Ada", "Lovelace")

    def test_parts_win_over_name(self):
        assert creation_names("Ada", "Lovelace", "Someone Else") == ("Ada", "Lovelace")

    def test_name_stands_in_when_both_parts_are_absent(self):
        assert creation_names(None, None, "Alan Mathison Turing") == ("Alan", "Mathison Turing")

    def test_one_word_name_gets_an_empty_last_name(self):
        assert creation_names(None, None, "Cher") == ("Cher", "")

    @pytest.mark.parametrize(
        ("first", "last", "name", "missing"),
        [
            (None, None, None, ["first_name", "last_name"]),
            ("Ada", None, None, ["last_name"]),
            (None, "Lovelace", None, ["first_name"]),
            # `name` only stands in when both parts are absent
            ("Ada", None, "Ada Lovelace", ["last_name"]),
            (None, "Lovelace", "Ada Lovelace", ["first_name"]),
        ],
    )
    def test_missing_parts_are_refused(self, first, last, name, missing):
        with pytest.raises(ValidationError) as caught:
            creation_names(first, last, name)
        assert caught.value.message == NAMES_REQUIRED == "first_name and last_name are required"
        assert caught.value.extra["errors"] == {field: [NAMES_REQUIRED] for field in missing}

    @pytest.mark.parametrize("name", ["x" * 101 + " Doe", "Jo " + "y" * 101])
    def test_a_split_part_longer_than_100_is_refused(self, name):
        with pytest.raises(ValidationError) as caught:
            creation_names(None, None, name)
        assert list(caught.value.extra["errors"]) == ["name"]

    def test_parts_of_exactly_100_are_accepted(self):
        assert creation_names(None, None, "x" * 100 + " " + "y" * 100) == ("x" * 100, "y" * 100)


class TestDisplay:
    def test_full_name_joins_and_trims(self):
        assert full_name("Ada", "Lovelace") == "Ada Lovelace"
        assert full_name("Cher", "") == "Cher"

    def test_display_name_adds_the_title(self):
        assert display_name("Ada", "Lovelace", "CTO") == "Ada Lovelace - CTO"

    @pytest.mark.parametrize("title", [None, ""])
    def test_display_name_without_title_is_the_full_name(self, title):
        assert display_name("Cher", "", title) == "Cher"

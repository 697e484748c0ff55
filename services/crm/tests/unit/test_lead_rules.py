"""Pure lead rules (crm.md §5) and the lead schemas."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm.leads import rules
from crm.leads.schemas import LeadCreate, LeadUpdate


class TestStatusFilter:
    @pytest.mark.parametrize("raw", [None, ""])
    def test_absent_leaves_out_converted_and_lost(self, raw):
        assert rules.status_filter(raw) == (None, frozenset({"converted", "lost"}))

    @pytest.mark.parametrize("raw", ["new", "lost", "anything"])
    def test_given_status_is_exact(self, raw):
        assert rules.status_filter(raw) == (raw, frozenset())


class TestNames:
    def test_full_name(self):
        assert rules.full_name("Ada", "Byron") == "Ada Byron"
        assert rules.full_name("Ada", "") == "Ada"

    def test_display_name_adds_the_company(self):
        assert rules.display_name("Ada", "Byron", "Engines") == "Ada Byron (Engines)"
        assert rules.display_name("Ada", "Byron", None) == "Ada Byron"
        assert rules.display_name("Ada", "Byron", "") == "Ada Byron"

    @pytest.mark.parametrize(
        ("first", "last", "missing"),
        [
            ("A", "B", []),
            (None, "B", ["first_name"]),
            ("A", "", ["last_name"]),
            ("", None, ["first_name", "last_name"]),
        ],
    )
    def test_missing_names_are_each_reported(self, first, last, missing):
        assert rules.missing_names(first, last) == {field: [rules.NAMES_REQUIRED] for field in missing}


class TestIsConverted:
    @pytest.mark.parametrize(
        ("client_id", "deal_id", "expected"), [(None, None, False), (1, None, True), (None, 2, True)]
    )
    def test_converted_to_a_client_or_a_deal(self, client_id, deal_id, expected):
        assert rules.is_converted(client_id, deal_id) is expected


class TestLeadSchemas:
    def test_non_numeric_estimate_is_null_on_create(self):
        assert LeadCreate.model_validate({"estimated_value": "lots"}).estimated_value is None

    def test_non_numeric_estimate_is_dropped_on_update(self):
        body = LeadUpdate.model_validate({"estimated_value": "lots"})
        assert "estimated_value" not in body.model_fields_set
        body = LeadUpdate.model_validate({"estimated_value": None})
        assert "estimated_value" in body.model_fields_set and body.estimated_value is None

    def test_tags_list_becomes_a_comma_string(self):
        assert LeadCreate.model_validate({"tags": [" a ", "b", ""]}).tags == "a,b"

    def test_empty_tags_clear_on_update_and_null_does_not(self):
        assert LeadUpdate.model_validate({"tags": []}).tags == ""
        assert LeadUpdate.model_validate({"tags": None}).tags is None

    def test_estimate_is_rounded_to_the_cent(self):
        assert LeadCreate.model_validate({"estimated_value": "1.005"}).estimated_value == Decimal("1.01")

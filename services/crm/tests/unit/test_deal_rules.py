"""Pure deal rules (crm.md §4), the money, percent, currency and owner rules deals and leads share,
and the deal schemas."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from crm import money, values
from crm.deals import rules
from crm.deals.schemas import DealCreate, DealUpdate
from crm.ownership import can_access, ensure_owner_or_admin, owner_filter
from shared.errors import ForbiddenError
from shared.identity import Identity

ADMIN = Identity(user_id=1, is_admin=True, role="admin")
USER = Identity(user_id=2, role="user")


class TestStatusFilter:
    def test_absent_means_open(self):
        assert rules.status_filter(None) == "open"

    @pytest.mark.parametrize("status", ["open", "won", "lost"])
    def test_open_won_lost_filter_exactly(self, status):
        assert rules.status_filter(status) == status

    @pytest.mark.parametrize("status", ["all", "cancelled", "", "Open", " won"])
    def test_anything_else_lists_every_status(self, status):
        assert rules.status_filter(status) is None


class TestWeightedValue:
    @pytest.mark.parametrize(
        ("value", "probability", "expected"),
        [
            (Decimal("1000.00"), 50, Decimal("500.00")),
            (Decimal("33.33"), 50, Decimal("16.67")),  # 16.665 rounds half up
            (Decimal("100.01"), 33, Decimal("33.00")),
            (Decimal("10.00"), 100, Decimal("10.00")),
            (Decimal("10.00"), 0, Decimal("0.00")),
            (Decimal("10.00"), None, Decimal("0.00")),
            (None, 50, Decimal("0.00")),
            (Decimal("0.00"), 50, Decimal("0.00")),
        ],
    )
    def test_value_times_probability_to_the_cent(self, value, probability, expected):
        assert rules.weighted_value(value, probability) == expected


class TestShownValue:
    def test_zero_is_no_value(self):
        assert money.shown_value(Decimal("0.00")) is None
        assert money.shown_value(None) is None

    def test_other_values_pass(self):
        assert money.shown_value(Decimal("-3.10")) == Decimal("-3.10")


class TestPercentAndCurrency:
    @pytest.mark.parametrize("value", [0, 100, None])
    def test_bounds_are_inclusive(self, value):
        assert values.check_percent(value) == value

    @pytest.mark.parametrize("value", [-1, 101])
    def test_outside_0_100_is_refused(self, value):
        with pytest.raises(ValueError, match="between 0 and 100"):
            values.check_percent(value)

    @pytest.mark.parametrize(("raw", "expected"), [("usd", "USD"), (" Eur ", "EUR"), (None, None), ("  ", None)])
    def test_three_letters_upper_cased(self, raw, expected):
        assert values.to_currency_code(raw) == expected

    @pytest.mark.parametrize("raw", ["EURO", "E1R", "EU", 978, "€€€"])
    def test_anything_else_is_refused(self, raw):
        with pytest.raises(ValueError, match="3-letter"):
            values.to_currency_code(raw)


class TestOwnerFilter:
    def test_no_owner_no_filter(self):
        assert owner_filter(ADMIN, None) is None
        assert owner_filter(USER, None) is None

    def test_admin_gets_the_named_owner(self):
        assert owner_filter(ADMIN, "7") == 7

    @pytest.mark.parametrize("raw", ["7", "2", "0"])
    def test_non_admin_always_gets_themselves(self, raw):
        assert owner_filter(USER, raw) == USER.user_id

    @pytest.mark.parametrize("raw", ["abc", "", "7.5"])
    def test_unparseable_owner_is_ignored(self, raw):
        assert owner_filter(ADMIN, raw) is None
        assert owner_filter(USER, raw) is None


class TestOwnerOrAdmin:
    def test_owner_and_admin_pass(self):
        assert can_access(USER, USER.user_id) and can_access(ADMIN, 99) and can_access(ADMIN, None)
        ensure_owner_or_admin(USER, USER.user_id)

    @pytest.mark.parametrize("owner_id", [99, None])
    def test_others_are_denied(self, owner_id):
        assert not can_access(USER, owner_id)
        with pytest.raises(ForbiddenError):
            ensure_owner_or_admin(USER, owner_id)


class TestDealSchemas:
    def test_amount_stands_in_for_value(self):
        assert DealCreate.model_validate({"amount": "5.5"}).value == Decimal("5.50")

    def test_value_wins_over_amount(self):
        body = DealCreate.model_validate({"value": None, "amount": "5"})
        assert body.value is None and "value" in body.model_fields_set

    def test_non_numeric_value_is_refused_on_create(self):
        with pytest.raises(ValidationError):
            DealCreate.model_validate({"value": "abc"})

    def test_non_numeric_value_is_dropped_on_update(self):
        body = DealUpdate.model_validate({"value": "abc", "name": "x"})
        assert body.model_fields_set == {"name"}

    def test_update_keeps_blank_text_apart_from_null(self):
        body = DealUpdate.model_validate({"description": "  ", "notes": None})
        assert (body.description, body.notes) == ("", None)

    def test_unparseable_dates_become_null(self):
        body = DealUpdate.model_validate({"expected_close_date": "soon", "actual_close_date": "2026-02-30"})
        assert body.expected_close_date is None and body.actual_close_date is None
        assert {"expected_close_date", "actual_close_date"} <= body.model_fields_set

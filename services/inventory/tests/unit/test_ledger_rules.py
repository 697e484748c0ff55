"""The stock arithmetic (inventory.md §1.3–§1.5) and the movement checks of §4, without a database."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from inventory.ledger.rules import applied_change, plan_fifo, positive
from inventory.movements import rules
from shared.errors import ValidationError


@pytest.mark.parametrize(
    ("on_hand", "quantity", "change"),
    [("10", "5", "5"), ("10", "-4", "-4"), ("3", "-5", "-3"), ("0", "-2", "0"), ("0", "0", "0")],
)
def test_on_hand_never_goes_below_zero(on_hand, quantity, change):
    assert applied_change(D(on_hand), D(quantity)) == D(change)


def test_fifo_takes_oldest_first_and_skips_empty_lots():
    plan = plan_fifo([("old", D("5")), ("negative", D("-2")), ("mid", D("5")), ("new", D("5"))], D("6"))
    assert plan.takes == [("old", D("5")), ("mid", D("1"))] and plan.remaining == 0


def test_fifo_reports_what_the_lots_cannot_cover():
    plan = plan_fifo([("a", D("1.5"))], D("4"))
    assert plan.takes == [("a", D("1.5"))] and plan.remaining == D("2.5")


def test_only_positive_lots_count_for_valuation():
    assert positive(D("-3")) == 0 and positive(D("2")) == D("2")


@pytest.mark.parametrize(
    ("percent", "cost"), [("25", "7.50"), ("0", "10.00"), ("100", "0.00"), ("33.333", "6.67"), ("12.5", "8.75")]
)
def test_percent_devaluation_rounds_to_cents(percent, cost):
    assert rules.devalued_cost(D("10"), method="percent", percent=D(percent), unit_cost=None) == D(cost)


def test_percent_is_the_default_method():
    assert rules.devalued_cost(D("8"), method=None, percent=D("50"), unit_cost=None) == D("4.00")


def test_fixed_devaluation():
    assert rules.devalued_cost(D("8"), method="fixed", percent=None, unit_cost=D("2.345")) == D("2.35")


@pytest.mark.parametrize(
    ("method", "percent", "unit_cost", "field"),
    [
        ("percent", None, None, "devalue_percent"),
        ("percent", D("100.01"), None, "devalue_percent"),
        ("fixed", None, None, "devalue_unit_cost"),
        ("fixed", None, D("-0.01"), "devalue_unit_cost"),
        ("average", D("5"), D("5"), "devalue_method"),
    ],
)
def test_invalid_devaluation_names_its_field(method, percent, unit_cost, field):
    with pytest.raises(ValidationError) as caught:
        rules.devalued_cost(D("8"), method=method, percent=percent, unit_cost=unit_cost)
    assert list(caught.value.extra["errors"]) == [field]


@pytest.mark.parametrize(("kind", "quantity"), [("return", "0"), ("return", "-1"), ("waste", "0"), ("waste", "1")])
def test_return_comes_in_and_waste_goes_out(kind, quantity):
    with pytest.raises(ValidationError):
        rules.check_direction(kind, D(quantity))


def test_types():
    assert rules.movement_type(None) == "adjustment"
    assert rules.movement_type("rent") == "rent"
    for refused in ("transfer", "gift"):
        with pytest.raises(ValidationError):
            rules.movement_type(refused)

"""Project rules of tracking.md §1.1: `code_display` and the figures from entry totals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tracking.projects.rules import Totals, code_display, figures
from tracking.projects.schemas import ProjectFields


class TestCodeDisplay:
    @pytest.mark.parametrize(
        ("code", "name", "shown"),
        [
            ("WEB", "Website Redesign", "WEB"),
            (None, "Website Redesign", "WEBS"),
            (None, "a b c", "ABC"),
            (None, "   ", ""),
            ("", "Mobile app", "MOBI"),
            (None, "x", "X"),
        ],
    )
    def test_code_else_the_compacted_name(self, code, name, shown):
        assert code_display(code, name) == shown


def _figures(seconds=0, billable_seconds=0, *, billable=True, rate=None, budget=None, percent=80):
    return figures(
        Totals(seconds, billable_seconds),
        billable=billable,
        hourly_rate=None if rate is None else Decimal(rate),
        budget_amount=None if budget is None else Decimal(budget),
        threshold_percent=percent,
    )


class TestFigures:
    def test_no_entries(self):
        assert _figures() == {
            "total_hours": 0.0,
            "total_billable_hours": 0.0,
            "estimated_cost": None,
            "budget_consumed_amount": 0.0,
            "budget_threshold_exceeded": False,
            "total_costs": 0.0,
            "total_billable_costs": 0.0,
            "total_project_value": 0.0,
        }

    def test_hours_are_the_summed_seconds_rounded_once(self):
        out = _figures(3 * 3600 + 18, 5400, rate="100")
        assert out["total_hours"] == 3.0  # 3.005 h rounds to 3.0 (half-even on the float)
        assert out["total_billable_hours"] == 1.5

    def test_cost_uses_the_rounded_billable_hours_and_the_rate(self):
        out = _figures(7200, 4500, rate="80.50")  # 1.25 billable hours
        assert out["estimated_cost"] == 100.63  # 100.625 half away from zero
        assert out["budget_consumed_amount"] == 100.63
        assert out["total_project_value"] == 100.63

    def test_non_billable_project_has_no_estimated_cost_but_consumes_budget(self):
        out = _figures(3600, 3600, billable=False, rate="50")
        assert out["estimated_cost"] is None
        assert out["budget_consumed_amount"] == 50.0
        assert out["total_project_value"] == 0.0

    @pytest.mark.parametrize("rate", [None, "0"])
    def test_no_rate_means_no_cost(self, rate):
        out = _figures(3600, 3600, rate=rate)
        assert out["estimated_cost"] is None and out["budget_consumed_amount"] == 0.0

    def test_a_cost_of_zero_is_null(self):
        assert _figures(3600, 0, rate="50")["estimated_cost"] is None

    @pytest.mark.parametrize(
        ("billable_seconds", "percent", "exceeded"),
        [
            (3600 * 8, 80, True),
            (3600 * 8 - 36, 80, False),
            (0, 0, True),
            (3600 * 10, 100, True),
            (3600 * 10 - 36, 100, False),
        ],
    )
    def test_threshold_is_reached_at_the_percentage_of_the_budget(self, billable_seconds, percent, exceeded):
        # budget 1000 at 100/h: 80% is reached at 8 billable hours
        out = _figures(billable_seconds, billable_seconds, rate="100", budget="1000", percent=percent)
        assert out["budget_threshold_exceeded"] is exceeded

    @pytest.mark.parametrize("budget", [None, "0"])
    def test_no_budget_is_never_exceeded(self, budget):
        assert _figures(36000, 36000, rate="100", budget=budget)["budget_threshold_exceeded"] is False


class TestProjectFields:
    def test_code_is_trimmed_and_upper_cased(self):
        assert ProjectFields(code="  web-1 ").code == "WEB-1"

    def test_blank_texts_become_null(self):
        body = ProjectFields(name="  ", code=" ", description="", color=" ")
        assert (body.name, body.code, body.description, body.color) == (None, None, None, None)

    def test_code_length_counts_after_upper_casing(self):
        with pytest.raises(ValueError):
            ProjectFields(code="ß" * 11)

    def test_money_is_rounded_to_cents(self):
        assert ProjectFields(hourly_rate="80.125").hourly_rate == Decimal("80.13")

    @pytest.mark.parametrize(
        "body",
        [
            {"budget_threshold_percent": 101},
            {"budget_threshold_percent": -1},
            {"hourly_rate": -1},
            {"hourly_rate": 10**7},
            {"color": "red"},
            {"color": "#12345g"},
            {"status": "deleted"},
            {"client_id": "abc"},
        ],
    )
    def test_refused_values(self, body):
        with pytest.raises(ValueError):
            ProjectFields(**body)

    def test_accepted_edges(self):
        body = ProjectFields(budget_threshold_percent="0", color="#A1b2C3", client_id="7", status="on_hold")
        assert (body.budget_threshold_percent, body.color, body.client_id, body.status) == (0, "#A1b2C3", 7, "on_hold")

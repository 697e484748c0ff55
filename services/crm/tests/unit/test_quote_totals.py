"""Quote money arithmetic (crm.md §6.1): half away from zero at every stored step."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from crm.quotes.totals import discount_value, line_total, quote_totals


def totals(lines, *, discount_type=None, discount_amount=None, tax_rate=None):
    return quote_totals(
        [D(x) for x in lines],
        discount_type=discount_type,
        discount_amount=None if discount_amount is None else D(discount_amount),
        tax_rate=None if tax_rate is None else D(tax_rate),
    )


class TestLineTotal:
    @pytest.mark.parametrize(
        ("quantity", "unit_price", "expected"),
        [
            ("3", "10.01", "30.03"),
            ("0.5", "0.25", "0.13"),  # 0.125: half-even would give 0.12
            ("0.5", "0.45", "0.23"),  # 0.225
            ("-0.5", "0.25", "-0.13"),  # away from zero, also for credit lines
            ("1.5", "0.33", "0.50"),  # 0.495
            ("2", "0", "0.00"),
        ],
    )
    def test_is_the_product_rounded_half_away_from_zero(self, quantity, unit_price, expected):
        result = line_total(D(quantity), D(unit_price))
        assert result == D(expected)
        assert result.as_tuple().exponent == -2


class TestDiscountValue:
    def test_percentage_of_the_subtotal_rounded_half_up(self):
        assert discount_value(D("0.10"), "percentage", D("25")) == D("0.03")  # 0.025
        assert discount_value(D("200.00"), "percentage", D("12.5")) == D("25.00")

    def test_fixed_amount_is_capped_at_the_subtotal(self):
        assert discount_value(D("50.00"), "fixed", D("80.00")) == D("50.00")
        assert discount_value(D("50.00"), "fixed", D("12.50")) == D("12.50")

    @pytest.mark.parametrize("discount_type", [None, "", "bogus"])
    def test_no_known_type_means_no_discount(self, discount_type):
        assert discount_value(D("50.00"), discount_type, D("10")) == D("0.00")

    def test_missing_amount_is_zero(self):
        assert discount_value(D("50.00"), "percentage", None) == D("0.00")


class TestQuoteTotals:
    def test_every_step_rounds_half_up(self):
        # 10.02 + 0.23 = 10.25; tax 10 % = 1.025 → 1.03; total 11.28.
        result = totals(["10.02", "0.23"], tax_rate="10")
        assert (result.subtotal, result.tax_amount, result.total_amount) == (D("10.25"), D("1.03"), D("11.28"))
        assert result.discount_value == D("0.00") and result.subtotal_after_discount == D("10.25")

    def test_tax_is_rounded_where_upstream_leaves_63_002(self):
        result = totals(["315.01"], tax_rate="20")
        assert result.tax_amount == D("63.00")
        assert result.total_amount == D("378.01")

    def test_tax_applies_after_a_percentage_discount(self):
        # 100.10 − 10 % (10.01) = 90.09; tax 19 % = 17.1171 → 17.12; total 107.21.
        result = totals(["100.10"], discount_type="percentage", discount_amount="10", tax_rate="19")
        assert result.discount_value == D("10.01")
        assert result.subtotal_after_discount == D("90.09")
        assert (result.tax_amount, result.total_amount) == (D("17.12"), D("107.21"))

    def test_fixed_discount_larger_than_the_subtotal_leaves_zero(self):
        result = totals(["20.00", "5.00"], discount_type="fixed", discount_amount="100", tax_rate="20")
        assert (result.discount_value, result.subtotal_after_discount) == (D("25.00"), D("0.00"))
        assert (result.tax_amount, result.total_amount) == (D("0.00"), D("0.00"))

    def test_no_lines_and_no_rates_give_zeros(self):
        result = totals([])
        assert result.subtotal == result.tax_amount == result.total_amount == D("0.00")

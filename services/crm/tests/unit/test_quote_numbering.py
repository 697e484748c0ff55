"""Quote numbers (crm.md §6.4): rendering the pattern and finding the next sequence."""

from __future__ import annotations

from datetime import date

import pytest

from crm.quotes.numbering import NumberFormat

DEFAULT = "{PREFIX}-{YYYY}{MM}{DD}-{SEQ}"
DAY = date(2026, 4, 20)


def fmt(pattern: str = DEFAULT, prefix: str = "QUO", day: date = DAY) -> NumberFormat:
    return NumberFormat.for_day(pattern, prefix=prefix, day=day)


class TestRender:
    def test_default_pattern_first_quote_of_the_day(self):
        assert fmt().render(1) == "QUO-20260420-001"

    @pytest.mark.parametrize(
        ("pattern", "expected"),
        [
            ("{PREFIX}/{YY}/{SEQ}", "QUO/26/007"),
            ("{DD}.{MM}.{YYYY}#{SEQ}", "20.04.2026#007"),
            ("{SEQ}-{PREFIX}", "007-QUO"),
            ("{PREFIX}{SEQ}{FOO}", "QUO007{FOO}"),
        ],
    )
    def test_tokens(self, pattern, expected):
        assert fmt(pattern).render(7) == expected

    def test_single_digit_months_and_days_are_padded(self):
        assert fmt("{YY}{MM}{DD}-{SEQ}", day=date(2031, 1, 5)).render(1) == "310105-001"

    @pytest.mark.parametrize(("seq", "text"), [(1, "001"), (42, "042"), (999, "999"), (1000, "1000"), (12345, "12345")])
    def test_sequence_is_padded_to_at_least_three_digits(self, seq, text):
        assert fmt("{SEQ}").render(seq) == text

    def test_pattern_without_a_sequence_gets_one(self):
        assert fmt("{PREFIX}-{YYYY}").render(3) == "QUO-2026-003"

    def test_prefix_is_inserted_verbatim(self):
        assert fmt(prefix="Q{MM}").render(1) == "Q{MM}-20260420-001"

    def test_head_and_tail_surround_the_sequence(self):
        f = fmt("{PREFIX}-{SEQ}/{YYYY}")
        assert (f.head, f.tail) == ("QUO-", "/2026")


class TestParse:
    def test_round_trip(self):
        assert fmt().parse("QUO-20260420-001") == 1
        assert fmt().parse("QUO-20260420-1234") == 1234

    @pytest.mark.parametrize(
        "number",
        ["QUO-20260419-001", "QUO-20260420-", "QUO-20260420-00A", "QUO-20260420-001-copy", "XQUO-20260420-001"],
    )
    def test_other_numbers_do_not_parse(self, number):
        assert fmt().parse(number) is None

    def test_prefix_is_matched_literally(self):
        f = fmt("{PREFIX}-{SEQ}", prefix="Q.+")
        assert f.parse("Q.+-005") == 5
        assert f.parse("QXX-005") is None

    def test_repeated_sequence_must_repeat_the_same_digits(self):
        f = fmt("{SEQ}/{PREFIX}/{SEQ}")
        assert f.render(4) == "004/QUO/004"
        assert f.parse("004/QUO/004") == 4
        assert f.parse("004/QUO/005") is None


class TestNextSequence:
    def test_no_numbers_yet_starts_at_the_start_number(self):
        assert fmt().next_sequence([], start=1) == 1
        assert fmt().next_sequence([], start=500) == 500

    def test_is_one_above_the_highest_of_the_same_day(self):
        existing = ["QUO-20260420-002", "QUO-20260420-010", "QUO-20260420-007", "QUO-20260419-050"]
        assert fmt().next_sequence(existing, start=1) == 11

    def test_numbers_of_another_format_are_ignored(self):
        existing = ["QUO-20260420-ABC", "QUO-20260420-099-copy", "OTHER-20260420-500"]
        assert fmt().next_sequence(existing, start=1) == 1

    def test_never_below_the_start_number(self):
        assert fmt().next_sequence(["QUO-20260420-003"], start=100) == 100
        assert fmt().next_sequence(["QUO-20260420-150"], start=100) == 151

    def test_wider_sequences_count_numerically(self):
        assert fmt().next_sequence(["QUO-20260420-999", "QUO-20260420-1000"], start=1) == 1001

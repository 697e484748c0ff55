"""Quote numbers (crm.md §6.4): render a number from the pattern setting and find the next
sequence among existing numbers. Pure: the caller supplies today's date and the candidates."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

SEQ = "{SEQ}"
# A pattern without {SEQ} would render the same number for every quote of a day.
FALLBACK_SEQ_SUFFIX = "-" + SEQ
_DATE_TOKENS = re.compile(r"\{(PREFIX|YYYY|YY|MM|DD)\}")


def _render_literal(text: str, *, prefix: str, day: date) -> str:
    values = {
        "PREFIX": prefix,
        "YYYY": f"{day.year:04d}",
        "YY": f"{day.year % 100:02d}",
        "MM": f"{day.month:02d}",
        "DD": f"{day.day:02d}",
    }
    # One pass, so a prefix that happens to contain "{MM}" is kept as typed.
    return _DATE_TOKENS.sub(lambda m: values[m[1]], text)


def format_sequence(seq: int) -> str:
    return f"{seq:03d}"


@dataclass(frozen=True)
class NumberFormat:
    """The pattern rendered for one day: literal parts with a sequence slot between each pair."""

    parts: tuple[str, ...]

    @classmethod
    def for_day(cls, pattern: str, *, prefix: str, day: date) -> NumberFormat:
        if SEQ not in pattern:
            pattern += FALLBACK_SEQ_SUFFIX
        return cls(tuple(_render_literal(part, prefix=prefix, day=day) for part in pattern.split(SEQ)))

    @property
    def head(self) -> str:
        """Text every number of this format starts with (narrows the candidates in SQL)."""
        return self.parts[0]

    @property
    def tail(self) -> str:
        return self.parts[-1]

    def render(self, seq: int) -> str:
        return format_sequence(seq).join(self.parts)

    def parse(self, number: str) -> int | None:
        """The sequence of a number of this format, else None."""
        slots = ["(?P<seq>[0-9]+)"] + ["(?P=seq)"] * (len(self.parts) - 2)
        regex = re.escape(self.parts[0]) + "".join(
            slot + re.escape(part) for slot, part in zip(slots, self.parts[1:], strict=True)
        )
        match = re.fullmatch(regex, number)
        return int(match["seq"]) if match else None

    def next_sequence(self, existing: Iterable[str], *, start: int) -> int:
        """1 + the highest sequence among `existing` numbers of this format, never below `start`."""
        highest = max((seq for seq in map(self.parse, existing) if seq is not None), default=0)
        return max(highest + 1, start)

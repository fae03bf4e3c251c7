"""Durations as a service standard writes them: 15m, 4h, 2d, 8bh, 3wd.

``m``/``h``/``d`` are wall-clock minutes, hours and days; ``bh`` is business hours and ``wd``
working days (N × the calendar's nominal working-day length of business time), both counted
on a working calendar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from kefu.core.errors import InvalidInput

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|h|d|bh|wd)\s*$")
WALL_SECONDS = {"m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, slots=True)
class Duration:
    amount: Decimal
    unit: str  # m, h, d, bh or wd

    @property
    def is_business(self) -> bool:
        return self.unit in ("bh", "wd")

    def seconds(self, *, working_day_seconds: int) -> int:
        """Length in seconds: wall-clock for m/h/d, business seconds for bh/wd."""
        if self.unit == "bh":
            per_unit = 3600
        elif self.unit == "wd":
            per_unit = working_day_seconds
        else:
            per_unit = WALL_SECONDS[self.unit]
        return int(self.amount * per_unit)

    def __str__(self) -> str:
        amount = format(self.amount.normalize(), "f")
        return f"{amount}{self.unit}"


@lru_cache(maxsize=1024)
def parse_duration(text: str, *, field: str = "duration") -> Duration:
    match = _DURATION.match(text or "")
    if not match:
        raise InvalidInput(
            f"{text!r} is not a duration; write a number and a unit: m, h, d (wall clock), "
            "bh (business hours) or wd (working days), e.g. 15m, 4h, 8bh, 3wd",
            field=field,
        )
    try:
        amount = Decimal(match.group(1))
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise InvalidInput(f"{text!r} is not a number", field=field) from None
    if amount > 100_000:
        raise InvalidInput(f"{text!r} is longer than kefu can count", field=field)
    return Duration(amount=amount, unit=match.group(2))

"""A controllable clock for tests: set "now" to a moment and move it forward.

Every service reads the time through :func:`kefu.core.timeutils.now`, which calls
``django.utils.timezone.now``; the machine replaces that one function while it is installed,
so registration times, clock deadlines, the outbox's back-off and the sweeper all see the same,
test-chosen time. Use it through a fixture::

    @pytest.fixture
    def clock_at():
        with TimeMachine() as machine:
            yield machine

    def test_something(clock_at):
        clock_at.at(dt.datetime(2026, 9, 29, 10, 0, tzinfo=SHANGHAI))
        ...
        clock_at.move(dt.timedelta(hours=2))
"""

from __future__ import annotations

import datetime as dt
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(text: str) -> dt.datetime:
    """``"2026-09-29 10:00"`` as an aware instant in Asia/Shanghai."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class TimeMachine:
    """Replaces ``django.utils.timezone.now`` with a clock that moves only when told to.

    Until :meth:`at` is called the machine reports the real time at installation. The time
    only goes forward (``move`` refuses a negative step) unless :meth:`at` is used on purpose.
    """

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._current = self._aware(start) if start is not None else None
        self._original: Any = None

    @staticmethod
    def _aware(moment: dt.datetime) -> dt.datetime:
        if moment.tzinfo is None:
            raise ValueError("the time machine needs an aware datetime")
        return moment.astimezone(dt.UTC)

    # -- installing -------------------------------------------------------------------------
    def install(self) -> TimeMachine:
        if self._original is not None:
            raise RuntimeError("the time machine is already installed")
        self._original = timezone.now
        if self._current is None:
            self._current = self._original()
        timezone.now = self.now
        return self

    def uninstall(self) -> None:
        if self._original is not None:
            timezone.now = self._original
            self._original = None

    def __enter__(self) -> TimeMachine:
        return self.install()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.uninstall()

    # -- the clock --------------------------------------------------------------------------
    def now(self) -> dt.datetime:
        if self._current is None:
            raise RuntimeError("the time machine is not installed and has no time set")
        return self._current

    def at(self, moment: dt.datetime) -> dt.datetime:
        """Jump to ``moment`` (aware); returns it in UTC."""
        self._current = self._aware(moment)
        return self._current

    def move(self, delta: dt.timedelta) -> dt.datetime:
        """Go forward by ``delta``; returns the new time."""
        if delta < dt.timedelta(0):
            raise ValueError("the time machine only moves forward; use at() to jump back")
        self._current = self.now() + delta
        return self._current

    def local(self) -> dt.datetime:
        """The current time in Asia/Shanghai (for readable assertions)."""
        return self.now().astimezone(SHANGHAI)

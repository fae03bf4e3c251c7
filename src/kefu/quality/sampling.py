"""Sampling for inspection by people (QA-2): the pure parts, without the database.

:func:`sample_stratified` picks ``percent`` of a population, allocated to the agents in
proportion to their share of it, with every agent getting at least ``agent_minimum`` (or all
they have); the same seed gives the same sample. :func:`period_bounds` and
:func:`last_complete_period` cut time into the plans' days, weeks (Monday first) and months in
the center's time zone (Asia/Shanghai by default).

The services that read the contacts and write the inspections live in
:mod:`kefu.quality.sampling_services`.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Collection, Hashable, Mapping, Sequence
from decimal import Decimal
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo


class Sampleable(Protocol):
    """A record that can be sampled: its own id and its agent's (None: no agent)."""

    @property
    def id(self) -> int: ...

    @property
    def agent(self) -> Hashable | None: ...


R = TypeVar("R", bound=Sampleable)


def sample_size(percent: Decimal | float | int, count: int) -> int:
    """``percent`` % of ``count``, rounded half up (25 % of 10 is 3, not 2)."""
    share = Decimal(str(percent)) * count / 100
    return math.floor(share + Decimal("0.5"))


def allocate(
    counts: Mapping[Hashable, int],
    *,
    percent: Decimal | float | int,
    agent_minimum: int,
    tie_order: Sequence[Hashable] | None = None,
) -> dict[Hashable, int]:
    """How many records to take from each agent's ``counts`` (QA-2).

    The total is ``round(percent × n)``, shared in proportion to each agent's count (largest
    remainder), except that every agent gets at least ``min(agent_minimum, count)``; when the
    minimums alone exceed the total, the minimums win and the total is larger. Ties go to
    agents earlier in ``tie_order`` (default: sorted by key as text).
    """
    total = sum(counts.values())
    order = list(tie_order) if tie_order is not None else sorted(counts, key=str)
    rank = {agent: index for index, agent in enumerate(order)}
    target = sample_size(percent, total)
    floor_of = {agent: min(max(agent_minimum, 0), count) for agent, count in counts.items()}
    if total == 0:
        return dict.fromkeys(counts, 0)
    ideal = {agent: Decimal(target) * count / total for agent, count in counts.items()}
    chosen = {
        agent: max(floor_of[agent], min(counts[agent], int(ideal[agent]))) for agent in counts
    }
    remaining = target - sum(chosen.values())
    while remaining > 0:
        room = [agent for agent in counts if chosen[agent] < counts[agent]]
        if not room:
            break
        agent = min(room, key=lambda a: (-(ideal[a] - chosen[a]), rank.get(a, len(rank))))
        chosen[agent] += 1
        remaining -= 1
    while remaining < 0:
        spare = [agent for agent in counts if chosen[agent] > floor_of[agent]]
        if not spare:
            break
        agent = min(spare, key=lambda a: (-(chosen[a] - ideal[a]), rank.get(a, len(rank))))
        chosen[agent] -= 1
        remaining += 1
    return chosen


def sample_stratified(
    population: Sequence[R],
    *,
    percent: Decimal | float | int,
    agent_minimum: int,
    rng: random.Random,
    already: Collection[int] = (),
) -> list[R]:
    """A sample of ``population`` stratified by agent (QA-2), sorted by id.

    ``round(percent × n)`` records overall, allocated to the agents in proportion to their
    counts, each agent at least ``min(agent_minimum, their count)`` (see :func:`allocate`).
    Records whose id is in ``already`` (chosen before) count towards their agent's share and
    are not returned again, so a second pass over a grown population only tops up. Records
    without an agent form one stratum of their own. Deterministic for a given ``rng`` seed.
    """
    groups: dict[Hashable | None, list[R]] = defaultdict(list)
    for record in sorted(population, key=lambda r: r.id):
        groups[record.agent].append(record)
    agents = sorted(groups, key=str)
    tie_order = list(agents)
    rng.shuffle(tie_order)
    shares = allocate(
        {agent: len(groups[agent]) for agent in agents},
        percent=percent,
        agent_minimum=agent_minimum,
        tie_order=tie_order,
    )
    taken = set(already)
    picked: list[R] = []
    for agent in agents:
        members = groups[agent]
        fresh = [record for record in members if record.id not in taken]
        need = shares[agent] - (len(members) - len(fresh))
        if need > 0:
            picked.extend(rng.sample(fresh, min(need, len(fresh))))
    return sorted(picked, key=lambda r: r.id)


# --- Periods -------------------------------------------------------------------------------

PERIODS = ("day", "week", "month")


def _start_of(period: str, day: dt.date) -> dt.date:
    if period == "day":
        return day
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    raise ValueError(f"unknown period {period!r}")


def _next_start(period: str, start: dt.date) -> dt.date:
    if period == "day":
        return start + dt.timedelta(days=1)
    if period == "week":
        return start + dt.timedelta(days=7)
    if start.month == 12:
        return start.replace(year=start.year + 1, month=1)
    return start.replace(month=start.month + 1)


def _midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone).astimezone(dt.UTC)


def period_bounds(
    period: str, moment: dt.datetime | dt.date, zone: dt.tzinfo | str
) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` in UTC of the day, week (Monday 00:00) or month containing ``moment``,
    cut at local midnight in ``zone``. A date is read as that local day."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    day = moment.astimezone(tz).date() if isinstance(moment, dt.datetime) else moment
    start = _start_of(period, day)
    return _midnight(start, tz), _midnight(_next_start(period, start), tz)


def last_complete_period(
    period: str, moment: dt.datetime, zone: dt.tzinfo | str
) -> tuple[dt.datetime, dt.datetime]:
    """The last period that had ended by ``moment`` (yesterday, last week, last month)."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    current_start, _ = period_bounds(period, moment, tz)
    previous_day = current_start.astimezone(tz).date() - dt.timedelta(days=1)
    return period_bounds(period, previous_day, tz)

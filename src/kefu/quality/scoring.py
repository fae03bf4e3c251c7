"""Scoring an inspection against a scorecard (QA-1): pure arithmetic, no database access.

An automatic item fails when any of the engine's findings has the item's ``rule_category``;
a manual item takes the fraction (0..1) a QA specialist gave it. An item *fails* when it
earns less than its full weight. Each dimension's score is the share of its items' weight
earned × 100; the total is the same share over all items. The inspection passes when the
total reaches the scorecard's pass mark and no fatal item (红线) failed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from kefu.core.errors import InvalidInput

DIMENSIONS = ("process", "communication", "script", "result")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class ItemLike(Protocol):
    id: Any
    dimension: str
    title: str
    weight: Decimal
    kind: str
    rule_category: str
    fatal: bool


@dataclass(frozen=True)
class ItemResult:
    item_id: Any
    title: str
    dimension: str
    kind: str
    weight: Decimal
    fraction: Decimal
    earned: Decimal
    failed: bool
    fatal: bool


@dataclass(frozen=True)
class ScorecardResult:
    items: list[ItemResult]
    dimensions: dict[str, Decimal]
    total: Decimal
    fatal_failed: list[Any] = field(default_factory=list)
    passed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": [
                {
                    "item_id": r.item_id,
                    "title": r.title,
                    "dimension": r.dimension,
                    "kind": r.kind,
                    "weight": float(r.weight),
                    "fraction": float(r.fraction),
                    "failed": r.failed,
                    "fatal": r.fatal,
                }
                for r in self.items
            ],
            "dimensions": {k: float(v) for k, v in self.dimensions.items()},
            "total": float(self.total),
            "fatal_failed": list(self.fatal_failed),
            "passed": self.passed,
        }


def _fraction(item: ItemLike, manual: Mapping[Any, Any]) -> Decimal:
    key = item.id if item.id in manual else str(item.id)
    if key not in manual:
        raise InvalidInput(f"manual item {item.title!r} ({item.id}) has no score", field="manual")
    raw = manual[key]
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal | str):
        raise InvalidInput(f"score of {item.title!r} must be a number", field="manual")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise InvalidInput(f"score of {item.title!r} must be a number", field="manual") from None
    if not value.is_finite() or not (0 <= value <= 1):
        raise InvalidInput(f"score of {item.title!r} must be between 0 and 1", field="manual")
    return value


def _share(earned: Decimal, weight: Decimal) -> Decimal:
    return (earned / weight * HUNDRED).quantize(CENT)


def scorecard_score(
    scorecard_items: Iterable[ItemLike],
    *,
    findings: Iterable[Mapping[str, Any]],
    manual: Mapping[Any, Any],
    pass_mark: int | Decimal = 80,
) -> ScorecardResult:
    """Score one inspection (QA-1). ``manual`` maps a manual item's id (or its string form)
    to a fraction 0..1; every manual item needs one. Raises :class:`InvalidInput` for a
    missing or out-of-range manual score, or a scorecard without items."""
    items = list(scorecard_items)
    if not items:
        raise InvalidInput("the scorecard has no items", field="scorecard")
    found = {f.get("category") for f in findings}
    manual_ids = {str(i.id) for i in items if i.kind == "manual"}
    unknown = sorted(str(k) for k in manual if str(k) not in manual_ids)
    if unknown:
        raise InvalidInput(
            f"not manual items of this scorecard: {', '.join(unknown)}", field="manual"
        )
    results: list[ItemResult] = []
    for item in items:
        weight = Decimal(item.weight)
        if weight <= 0:
            raise InvalidInput(f"item {item.title!r} needs a positive weight", field="weight")
        if item.kind == "auto":
            fraction = Decimal(0) if item.rule_category in found else Decimal(1)
        elif item.kind == "manual":
            fraction = _fraction(item, manual)
        else:
            raise InvalidInput(f"item {item.title!r} has an unknown kind", field="kind")
        results.append(
            ItemResult(
                item_id=item.id,
                title=item.title,
                dimension=item.dimension,
                kind=item.kind,
                weight=weight,
                fraction=fraction,
                earned=weight * fraction,
                failed=fraction < 1,
                fatal=bool(item.fatal),
            )
        )
    dimensions: dict[str, Decimal] = {}
    for name in DIMENSIONS:
        members = [r for r in results if r.dimension == name]
        if members:
            dimensions[name] = _share(
                sum((r.earned for r in members), Decimal(0)),
                sum((r.weight for r in members), Decimal(0)),
            )
    total = _share(
        sum((r.earned for r in results), Decimal(0)), sum((r.weight for r in results), Decimal(0))
    )
    fatal_failed = [r.item_id for r in results if r.fatal and r.failed]
    return ScorecardResult(
        items=results,
        dimensions=dimensions,
        total=total,
        fatal_failed=fatal_failed,
        passed=total >= Decimal(pass_mark) and not fatal_failed,
    )

"""Scorecards (QA-1): weighted arithmetic over the four dimensions, fatal items (红线),
manual scores, versions that are never edited, the default scorecard and who may edit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from kefu.audit.models import AuditEvent
from kefu.core.errors import InvalidInput, PermissionDenied
from kefu.quality.models import Scorecard, ScorecardItem
from kefu.quality.scoring import scorecard_score
from kefu.quality.services import scorecard_new_version

DEFAULT_NAME = "标准质检评分表"


@dataclass
class Item:
    id: int
    dimension: str
    weight: Decimal
    kind: str = "auto"
    rule_category: str = ""
    fatal: bool = False
    title: str = "item"


ITEMS = [
    Item(1, "process", Decimal("1"), rule_category="missing_greeting"),
    Item(2, "process", Decimal("3"), rule_category="missing_closing"),
    Item(3, "script", Decimal("2"), rule_category="shirking", fatal=True),
    Item(4, "result", Decimal("4"), kind="manual", title="问题是否解决"),
]


def test_weighted_arithmetic_per_dimension_and_total():
    result = scorecard_score(
        ITEMS, findings=[{"category": "missing_greeting"}], manual={4: 0.5}, pass_mark=70
    )
    # process: 3 of 4 weight earned; result: 2 of 4; total: (0 + 3 + 2 + 2) / 10.
    assert result.dimensions == {
        "process": Decimal("75.00"),
        "script": Decimal("100.00"),
        "result": Decimal("50.00"),
    }
    assert result.total == Decimal("70.00")
    assert [r.failed for r in result.items] == [True, False, False, True]
    assert result.fatal_failed == []
    assert result.passed is True
    assert scorecard_score(ITEMS, findings=[], manual={"4": 1}).total == Decimal("100.00")
    assert scorecard_score(ITEMS, findings=[], manual={4: 0.5}, pass_mark=81).passed is False


def test_fatal_item_fails_the_inspection_despite_a_high_total():
    items = [*ITEMS, Item(5, "communication", Decimal("100"), rule_category="no_empathy")]
    result = scorecard_score(items, findings=[{"category": "shirking"}], manual={4: 1})
    assert result.total >= Decimal("98")
    assert result.fatal_failed == [3]
    assert result.passed is False
    assert result.as_dict()["passed"] is False


@pytest.mark.parametrize(
    ("manual", "needle"),
    [
        ({}, "问题是否解决"),
        ({4: 1.5}, "between 0 and 1"),
        ({4: -0.1}, "between 0 and 1"),
        ({4: "x"}, "number"),
        ({4: True}, "number"),
        ({4: 1, 1: 1}, "not manual items"),
    ],
)
def test_manual_scores_are_validated(manual, needle):
    with pytest.raises(InvalidInput) as exc:
        scorecard_score(ITEMS, findings=[], manual=manual)
    assert needle in str(exc.value)


def test_no_items_is_invalid():
    with pytest.raises(InvalidInput):
        scorecard_score([], findings=[], manual={})


@pytest.mark.django_db
def test_default_scorecard_is_seeded():
    card = Scorecard.objects.get(name=DEFAULT_NAME, version=1)
    items = list(card.items.all())
    assert {i.dimension for i in items} == {"process", "communication", "script", "result"}
    assert {i.rule_category for i in items if i.fatal} == {"shirking", "doubting_customer"}
    assert {i.title for i in items if i.kind == "manual"} == {"问题是否解决", "方案是否合理"}
    manual = {i.id: 1 for i in items if i.kind == "manual"}
    result = scorecard_score(items, findings=[{"category": "blunt"}], manual=manual)
    assert result.passed is True and result.total < 100
    assert (
        scorecard_score(
            items,
            findings=[{"category": "doubting_customer"}],
            manual=manual,
            pass_mark=card.pass_mark,
        ).passed
        is False
    )


NEW_ITEMS = [
    {
        "dimension": "script",
        "title": "不推诿",
        "weight": "2",
        "kind": "auto",
        "rule_category": "shirking",
        "fatal": True,
    },
    {"dimension": "result", "title": "问题是否解决", "weight": 3, "kind": "manual"},
]


@pytest.mark.django_db
def test_new_version_keeps_the_old_one_untouched(qa, manager):
    old = Scorecard.objects.get(name=DEFAULT_NAME, version=1)
    before = list(old.items.values_list("id", "title", "weight", "fatal", "order"))
    new = scorecard_new_version(actor=qa, scorecard=old, items=NEW_ITEMS, pass_mark=85)
    assert (new.name, new.version, new.pass_mark) == (DEFAULT_NAME, 2, 85)
    assert [(i.title, i.weight, i.fatal) for i in new.items.all()] == [
        ("不推诿", Decimal("2.00"), True),
        ("问题是否解决", Decimal("3.00"), False),
    ]
    old.refresh_from_db()
    assert (old.version, old.pass_mark, old.is_active) == (1, 80, True)
    assert list(old.items.values_list("id", "title", "weight", "fatal", "order")) == before
    assert AuditEvent.objects.filter(verb="scorecard.new_version").count() == 1
    # Versioning from an old version still appends after the latest one.
    third = scorecard_new_version(actor=manager, scorecard=old, items=NEW_ITEMS)
    assert (third.version, third.pass_mark) == (3, 80)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([], "items"),
        ([{**NEW_ITEMS[0], "rule_category": "nope"}], "items[0].rule_category"),
        ([{**NEW_ITEMS[0], "weight": "0"}], "items[0].weight"),
        ([{**NEW_ITEMS[0], "dimension": "mood"}], "items[0].dimension"),
        ([{**NEW_ITEMS[1], "title": ""}], "items[0].title"),
    ],
)
def test_new_version_rejects_bad_items(qa, items, field):
    old = Scorecard.objects.get(name=DEFAULT_NAME, version=1)
    with pytest.raises(InvalidInput) as exc:
        scorecard_new_version(actor=qa, scorecard=old, items=items)
    assert exc.value.field == field
    assert Scorecard.objects.filter(name=DEFAULT_NAME).count() == 1


@pytest.mark.django_db
def test_agent_may_not_create_a_version(agent):
    old = Scorecard.objects.get(name=DEFAULT_NAME, version=1)
    count = ScorecardItem.objects.count()
    with pytest.raises(PermissionDenied):
        scorecard_new_version(actor=agent, scorecard=old, items=NEW_ITEMS)
    assert Scorecard.objects.count() == 1 and ScorecardItem.objects.count() == count

"""Tests for the demo content generator (pure Python, no Django)."""

from __future__ import annotations

import random
import re
import string
from dataclasses import astuple

import pytest

from kefu.demo import content

CHILD_CODES = [code for children in content.CATEGORY_CODES.values() for code in children]
TEXT_FIELDS = (
    "subject",
    "description",
    "need_points",
    "preferences",
    "special_requirements",
    "solution",
    "customer_feedback",
    "internal_note",
    "customer_reply",
    "agent_reply",
)
FORBIDDEN_IN_AGENT_REPLY = ("这不是我的职责", "我保证一定解决", "你怎么连这个都不懂", "我听不懂")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
EMAIL_RE = re.compile(r"^[a-z0-9.]+@example\.(com|cn|net)$")
CJK_NAME_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
ASCII_PUNCTUATION = set(",;:?!()")


def test_category_codes_are_exactly_the_agreed_ones() -> None:
    assert content.CATEGORY_CODES == {
        "consult": [
            "consult.product",
            "consult.promotion",
            "consult.account",
            "consult.order",
            "consult.usage",
        ],
        "complaint": [
            "complaint.attitude",
            "complaint.business_error",
            "complaint.system_failure",
            "complaint.quality",
            "complaint.delivery",
        ],
        "after_sales": [
            "after_sales.return",
            "after_sales.repair",
            "after_sales.refund",
            "after_sales.installation",
            "after_sales.invoice",
        ],
    }


def test_category_names_cover_roots_and_children() -> None:
    expected = set(content.CATEGORY_CODES) | set(CHILD_CODES)
    assert set(content.CATEGORY_NAMES) == expected
    assert content.CATEGORY_NAMES["complaint"] == "投诉"
    assert content.CATEGORY_NAMES["after_sales.installation"] == "安装预约"
    assert all(content.CATEGORY_NAMES.values())


@pytest.mark.parametrize("code", CHILD_CODES)
def test_each_child_category_has_at_least_six_scenarios(code: str) -> None:
    assert len(content._SCENARIOS[code]) >= 6


def test_templates_only_use_known_slots() -> None:
    formatter = string.Formatter()
    templates: list[str] = []
    for scenarios in content._SCENARIOS.values():
        for scenario in scenarios:
            templates += scenario.subjects + scenario.descriptions + scenario.needs
            templates += scenario.solutions + scenario.notes + scenario.replies
            templates += scenario.agent_bodies
    for pool in (content._GREETINGS, *content._CLOSINGS.values(), *content._FEEDBACK.values()):
        templates += pool
    for pool in content._EMPATHY.values():
        templates += pool
    for template in templates:
        for _, field, spec, conversion in formatter.parse(template):
            if field is None:
                continue
            assert field in content._SLOT_NAMES, (field, template)
            assert not spec and conversion is None, template


def test_ticket_text_is_deterministic() -> None:
    def run(seed: int) -> list[tuple[str, ...]]:
        rng = random.Random(seed)
        return [
            astuple(content.ticket_text(rng, code, content.person_name(rng)))
            for _ in range(20)
            for code in CHILD_CODES
        ]

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_other_generators_are_deterministic() -> None:
    def run(seed: int) -> tuple[object, ...]:
        rng = random.Random(seed)
        return (
            [content.customer_profile(rng) for _ in range(30)],
            [content.mobile_number(rng) for _ in range(10)],
            [content.email_for(rng, "王芳") for _ in range(10)],
            content.staff_roster(rng, 25),
            content.person(rng),
        )

    assert run(3) == run(3)


@pytest.mark.parametrize("code", CHILD_CODES)
def test_every_child_category_produces_complete_texts(code: str) -> None:
    rng = random.Random(f"fields-{code}")
    for _ in range(400):
        text = content.ticket_text(rng, code, content.person_name(rng))
        assert text.subject
        assert text.description
        assert text.solution
        assert text.need_points.startswith("1. ")
        assert text.internal_note
        assert text.customer_reply
        assert text.agent_reply
        assert len(text.subject) <= content.SUBJECT_MAX_LENGTH
        assert len(text.description) <= 300
        for field in TEXT_FIELDS:
            value = getattr(text, field)
            assert isinstance(value, str)
            assert "{" not in value and "}" not in value, (field, value)
            assert not ASCII_PUNCTUATION & set(value), (field, value)
            assert value == value.strip()


@pytest.mark.parametrize("code", CHILD_CODES)
def test_texts_vary_within_a_category(code: str) -> None:
    rng = random.Random(f"variety-{code}")
    texts = [content.ticket_text(rng, code, content.person_name(rng)) for _ in range(2000)]
    assert len({t.description for t in texts}) >= 500
    assert len({t.subject for t in texts}) >= 30
    assert len({t.solution for t in texts}) >= 100


def test_agent_reply_never_uses_forbidden_phrases() -> None:
    rng = random.Random(11)
    for _ in range(300):
        for code in CHILD_CODES:
            reply = content.ticket_text(rng, code, content.person_name(rng)).agent_reply
            for phrase in FORBIDDEN_IN_AGENT_REPLY:
                assert phrase not in reply


def test_agent_reply_greets_the_customer() -> None:
    rng = random.Random(12)
    for code in CHILD_CODES:
        reply = content.ticket_text(rng, code, "欧阳明哲").agent_reply
        assert "您好" in reply
        assert "欧阳" in reply


def test_generic_customer_name_is_not_mangled() -> None:
    rng = random.Random(13)
    for _ in range(50):
        reply = content.ticket_text(rng, "consult.order", "客户").agent_reply
        assert "客先生" not in reply and "客女士" not in reply


def test_unknown_category_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown child category"):
        content.ticket_text(random.Random(1), "consult", "王芳")
    with pytest.raises(ValueError, match="unknown child category"):
        content.ticket_text(random.Random(1), "nonsense.code", "王芳")


def test_mobile_numbers_look_valid() -> None:
    rng = random.Random(5)
    numbers = [content.mobile_number(rng) for _ in range(2000)]
    assert all(MOBILE_RE.match(n) for n in numbers)
    assert len(set(numbers)) > 1990


def test_email_addresses_use_reserved_domains() -> None:
    rng = random.Random(6)
    for _ in range(1000):
        assert EMAIL_RE.match(content.email_for(rng, "张伟"))


def test_person_names_are_chinese_and_weighted() -> None:
    rng = random.Random(9)
    people = [content.person(rng) for _ in range(5000)]
    assert all(CJK_NAME_RE.match(p.full) for p in people)
    assert all(p.full == p.family + p.given and 1 <= len(p.given) <= 2 for p in people)
    families = [p.family for p in people]
    assert families.count("王") > families.count("孔") * 5
    assert 0 < sum(len(f) == 2 for f in families) < 100
    assert isinstance(content.person_name(rng), str)


def test_staff_roster_returns_distinct_names() -> None:
    roster = content.staff_roster(random.Random(4), 300)
    assert len(roster) == 300
    assert len(set(roster)) == 300
    assert content.staff_roster(random.Random(4), 0) == []
    with pytest.raises(ValueError, match="negative"):
        content.staff_roster(random.Random(4), -1)


def test_customer_profiles_have_valid_fields() -> None:
    rng = random.Random(21)
    profiles = [content.customer_profile(rng) for _ in range(2000)]
    with_email = sum(p.email is not None for p in profiles)
    assert 0.5 < with_email / len(profiles) < 0.7
    levels = [p.member_level for p in profiles]
    tiers = [p.tier for p in profiles]
    for profile in profiles:
        assert CJK_NAME_RE.match(profile.name)
        assert MOBILE_RE.match(profile.phone)
        assert profile.email is None or EMAIL_RE.match(profile.email)
        assert profile.member_level in content.MEMBER_LEVELS
        assert profile.tier in content.TIERS
        assert profile.preferred_channel in content.CHANNELS
        assert len(profile.tags) <= 3 and len(set(profile.tags)) == len(profile.tags)
        assert profile.city
        if profile.preferred_channel == "email":
            assert profile.email is not None
        if profile.tier in ("core", "strategic"):
            assert "企业采购" in profile.tags
            assert "公司" in profile.notes
    assert levels.count("normal") > levels.count("platinum") * 3
    assert tiers.count("general") > len(profiles) // 2
    assert "strategic" in tiers
    assert any(p.notes == "" for p in profiles)
    assert any(p.notes for p in profiles)

"""The quality rules live in the versioned standard profile (QA-3, SCR-2): validation that
names the bad field, the migration path, the rules the check command and the API use, the
version an automatic check records, and who may change them through the API."""

from __future__ import annotations

import copy
import importlib
import io
import json

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from kefu.audit.models import AuditEvent
from kefu.core.errors import Conflict, InvalidInput, PermissionDenied, StaleVersion
from kefu.quality.defaults import DEFAULT_RULES
from kefu.quality.rules_services import (
    forbidden_rule_put,
    forbidden_rule_remove,
    quality_rules_update,
)
from kefu.quality.services import contact_auto_check, rules_data, rules_in_force, rules_version
from kefu.standard.models import ProfileVersion
from kefu.standard.selectors import profile_current_version, profile_get, standard_value

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("kefu.standard.migrations.0004_quality_rules")
SAMPLE = "这事你看着办吧。"
NEW_RULE = {
    "key": "leave_it_to_you",
    "category": "shirking",
    "label": "推诿",
    "phrases": ["看着办"],
    "suggestion": "我来为您处理，请您放心。",
}
TRANSCRIPT = {
    "channel": "chat",
    "segments": [
        {"speaker": "agent", "text": "您好，很高兴为您服务。"},
        {"speaker": "customer", "text": "我的退款还没到。"},
        {"speaker": "agent", "text": SAMPLE},
    ],
}


def _categories(result: dict) -> list[tuple[str, str]]:
    return [(f["category"], f["evidence"]) for f in result["findings"] if f["segment"] == 2]


def _qa_check(tmp_path, capsys) -> dict:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(TRANSCRIPT, ensure_ascii=False), encoding="utf-8")
    call_command("qa", "check", str(path))
    return json.loads(capsys.readouterr().out)


def _with_rule(rules: dict) -> dict:
    return forbidden_rule_put(rules, NEW_RULE)


# -- the profile holds the rules ---------------------------------------------------------------


def test_version_one_holds_the_default_rules():
    version = profile_current_version()
    assert version.document["quality_rules"] == DEFAULT_RULES
    assert rules_data() == DEFAULT_RULES
    assert rules_version() == f"p{version.number}:1:{rules_in_force().digest}"


def test_the_compiled_rules_are_built_once_per_content():
    assert rules_in_force().rule_set is rules_in_force().rule_set


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda r: r["forbidden"][3].update({"phrases": ["ok", ""]}), "forbidden.3.phrases"),
        (lambda r: r["forbidden"][3].update({"phrases": "看着办"}), "forbidden.3.phrases"),
        (lambda r: r["forbidden"][0].update({"gaps": ["不归管"]}), "forbidden.0.gaps"),
        (lambda r: r["forbidden"][1].update({"key": r["forbidden"][0]["key"]}), "forbidden.1.key"),
        (lambda r: r["forbidden"][2].update({"phrase": ["x"]}), "forbidden.2.phrase"),
        (lambda r: r["forbidden"][2].update({"suggestion": ""}), "forbidden.2.suggestion"),
        (lambda r: r["forbidden"][2].update({"similarity": 1.5}), "forbidden.2.similarity"),
        (lambda r: r["forbidden"][2].update({"category": "Bad Name"}), "forbidden.2.category"),
        (lambda r: r["forbidden"][2].update({"category": "brand_new"}), "scoring.dimensions"),
        (lambda r: r["required"][0].update({"stage": "middle"}), "required.0.stage"),
        (lambda r: r["speech_rate"].update({"min_cpm": 300}), "speech_rate.min_cpm"),
        (lambda r: r["silence"].update({"max_seconds": -1}), "silence.max_seconds"),
        (lambda r: r["silence"].update({"max_seconds": 10**6}), "silence.max_seconds"),
        (lambda r: r.pop("empathy"), "empathy"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field(qa, edit, field):
    rules = copy.deepcopy(DEFAULT_RULES)
    edit(rules)
    with pytest.raises(InvalidInput) as caught:
        quality_rules_update(actor=qa, rules=rules)
    assert caught.value.field == f"quality_rules.{field}"
    assert profile_current_version().number == 1


def test_a_bad_rule_in_a_profile_document_names_the_field(manager):
    from kefu.standard.services import profile_version_create

    document = profile_current_version().document
    document["quality_rules"]["forbidden"][3]["phrases"] = [""]
    with pytest.raises(InvalidInput) as caught:
        profile_version_create(actor=manager, profile=profile_get(), document=document)
    assert caught.value.field == "quality_rules.forbidden.3.phrases"


# -- the migration path ------------------------------------------------------------------------


def _version_without_rules() -> ProfileVersion:
    current = profile_current_version()
    document = {key: value for key, value in current.document.items() if key != "quality_rules"}
    return ProfileVersion.objects.create(
        profile=current.profile,
        number=current.number + 1,
        document=document,
        note="old",
        created_at=current.created_at,
    )


def test_a_profile_without_quality_rules_checks_with_the_defaults(tmp_path, capsys):
    old = _version_without_rules()
    assert rules_data() == DEFAULT_RULES
    assert rules_in_force().version.startswith(f"p{old.number}:1:")
    assert ("shirking", "这不是我的职责") in [
        (f["category"], f["evidence"])
        for f in _qa_check_text(tmp_path, capsys, "这不是我的职责")["findings"]
    ]


def _qa_check_text(tmp_path, capsys, text: str) -> dict:
    path = tmp_path / "one.json"
    path.write_text(
        json.dumps({"channel": "chat", "segments": [{"speaker": "agent", "text": text}]}),
        encoding="utf-8",
    )
    call_command("qa", "check", str(path))
    return json.loads(capsys.readouterr().out)


def test_the_migration_adds_the_rules_as_a_new_version_and_goes_back():
    old = _version_without_rules()
    MIGRATION.add_quality_rules(django_apps, None)
    new = profile_current_version()
    assert new.number == old.number + 1 and new.note == MIGRATION.NOTE
    assert new.document["quality_rules"] == DEFAULT_RULES
    assert new.document["milestones"] == old.document["milestones"]
    MIGRATION.add_quality_rules(django_apps, None)  # nothing more to add
    assert profile_current_version().number == new.number
    MIGRATION.remove_quality_rules_version(django_apps, None)
    assert profile_current_version().number == old.number


def test_export_and_import_carry_the_rules(qa, tmp_path):
    quality_rules_update(actor=qa, rules=_with_rule(rules_data()))
    path = tmp_path / "standard.yaml"
    call_command("standard", "export", "--output", str(path), stdout=io.StringIO())
    text = path.read_text(encoding="utf-8")
    assert "quality_rules:" in text and "看着办" in text
    path.write_text(text.replace("- 看着办", "- 看着点办"), encoding="utf-8")
    call_command("standard", "import", str(path), stdout=io.StringIO())
    rule = next(r for r in rules_data()["forbidden"] if r["key"] == "leave_it_to_you")
    assert rule["phrases"] == ["看着点办"]


# -- editing changes what the check finds ------------------------------------------------------


def test_adding_and_removing_a_rule_changes_the_command_and_the_api(qa, client, tmp_path, capsys):
    client.force_login(qa)
    assert ("shirking", "看着办") not in _categories(_qa_check(tmp_path, capsys))
    version = quality_rules_update(actor=qa, rules=_with_rule(rules_data()), note="看着办")
    assert version.number == 2 and version.note == "quality rules: 看着办"
    assert ("shirking", "看着办") in _categories(_qa_check(tmp_path, capsys))
    api = client.post("/api/v1/qa/check", TRANSCRIPT, content_type="application/json").json()
    assert ("shirking", "看着办") in _categories(api)
    draft = client.post(
        "/api/v1/qa/draft", {"text": SAMPLE}, content_type="application/json"
    ).json()
    assert [f["evidence"] for f in draft["findings"]] == ["看着办"]

    quality_rules_update(actor=qa, rules=forbidden_rule_remove(rules_data(), "leave_it_to_you"))
    assert ("shirking", "看着办") not in _categories(_qa_check(tmp_path, capsys))
    draft = client.post(
        "/api/v1/qa/draft", {"text": SAMPLE}, content_type="application/json"
    ).json()
    assert draft["findings"] == []
    event = AuditEvent.objects.filter(verb="quality.rules_update").latest("id")
    assert event.after["removed"] == ["forbidden.leave_it_to_you"]


def test_a_new_category_joins_a_dimension(qa):
    rules = forbidden_rule_put(
        rules_data(), {**NEW_RULE, "category": "careless"}, dimension="communication"
    )
    quality_rules_update(actor=qa, rules=rules)
    assert "careless" in rules_data()["scoring"]["dimensions"]["communication"]


def test_auto_check_records_the_profile_version(qa, agent):
    from kefu.channels.tests.inbox_data import add_message, make_contact

    contact = make_contact(kind="chat")
    add_message(contact, SAMPLE, inbound=False, author=agent)
    first = contact_auto_check(contact=contact)
    assert first.rules_version.startswith("p1:1:")
    assert not any(f["evidence"] == "看着办" for f in first.findings)
    quality_rules_update(actor=qa, rules=_with_rule(rules_data()))
    second = contact_auto_check(contact=contact)
    assert second.rules_version.startswith("p2:1:") and len(second.rules_version) <= 64
    assert second.rules_version != first.rules_version
    assert any(f["evidence"] == "看着办" for f in second.findings)


# -- who may change them -----------------------------------------------------------------------


def test_unchanged_and_stale_edits_are_conflicts(qa):
    with pytest.raises(Conflict):
        quality_rules_update(actor=qa, rules=rules_data())
    with pytest.raises(StaleVersion):
        quality_rules_update(actor=qa, rules=_with_rule(rules_data()), base_version=7)


def test_an_agent_may_not_change_the_rules(agent):
    with pytest.raises(PermissionDenied):
        quality_rules_update(actor=agent, rules=_with_rule(rules_data()))


def test_api_get_and_put(client, qa):
    client.force_login(qa)
    got = client.get("/api/v1/qa/rules").json()
    assert got["profile_version"] == 1 and got["rules_version"].startswith("p1:1:")
    assert got["rules"] == DEFAULT_RULES
    put = client.put(
        "/api/v1/qa/rules",
        {"rules": _with_rule(got["rules"]), "note": "看着办", "profile_version": 1},
        content_type="application/json",
    )
    assert put.status_code == 200, put.content
    assert put.json()["profile_version"] == 2
    assert put.json()["rules_version"].startswith("p2:1:")
    again = client.put(
        "/api/v1/qa/rules", {"rules": put.json()["rules"]}, content_type="application/json"
    )
    assert again.status_code == 409
    bad = copy.deepcopy(put.json()["rules"])
    bad["forbidden"][3]["phrases"] = [""]
    refused = client.put("/api/v1/qa/rules", {"rules": bad}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["field"] == "quality_rules.forbidden.3.phrases"


def test_api_refuses_an_agent(client, agent):
    client.force_login(agent)
    assert client.get("/api/v1/qa/rules").status_code == 403
    put = client.put(
        "/api/v1/qa/rules",
        {"rules": _with_rule(DEFAULT_RULES)},
        content_type="application/json",
    )
    assert put.status_code == 403
    assert profile_current_version().number == 1


def test_a_qa_specialist_cannot_change_parameters_through_the_rules(client, qa):
    client.force_login(qa)
    body = {
        "rules": _with_rule(DEFAULT_RULES),
        "parameters": {"first_response_urgent": "8h"},
    }
    sneaky = client.put("/api/v1/qa/rules", body, content_type="application/json")
    assert sneaky.status_code == 422  # no such field
    smuggled = {**_with_rule(DEFAULT_RULES), "parameters": {"first_response_urgent": "8h"}}
    client.put("/api/v1/qa/rules", {"rules": smuggled}, content_type="application/json")
    assert standard_value("first_response_urgent") == "1h"
    saved = client.put(
        "/api/v1/qa/rules", {"rules": _with_rule(DEFAULT_RULES)}, content_type="application/json"
    )
    assert saved.status_code == 200
    version = profile_current_version()
    assert (
        version.document["parameters"]
        == profile_get().versions.get(number=1).document["parameters"]
    )
    assert standard_value("first_response_urgent") == "1h"

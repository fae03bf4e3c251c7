"""The quality rules page /qa/rules/ (QA-3, SCR-2, SCR-3): every rule by kind, editing a
forbidden-phrase rule and the thresholds as new profile versions, the "try it" box, and who
may open it."""

from __future__ import annotations

import pytest

from kefu.quality.services import rules_data
from kefu.standard.selectors import profile_current_version, standard_value

pytestmark = pytest.mark.django_db

NEW = {
    "key": "leave_it_to_you",
    "category": "shirking",
    "label": "推诿",
    "standard": "SCR-2",
    "phrases": "看着办\n你自己看着办",
    "gaps": "",
    "standalone": "",
    "examples": "",
    "negations": "",
    "similarity": "0.6",
    "suggestion": "我来为您处理，请您放心。",
    "dimension": "script",
    "note": "看着办",
}


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


def test_the_page_shows_every_kind_and_the_version(client, qa, english):
    client.force_login(qa)
    page = client.get("/qa/rules/")
    assert page.status_code == 200
    html = page.content.decode()
    for text in (
        "Standard profile version 1",
        "p1:1:",
        "这不是我的职责",  # a forbidden phrase
        "shirking",
        "请问还有其他可以帮您的吗",  # its replacement
        "missing_greeting",  # required stage
        "理解您的心情",  # empathy
        "120–240",  # speech-rate band
        "Silence and hold",
        "Interruptions",
        'name="speech_rate.max_cpm"',
    ):
        assert text in html, text


@pytest.mark.parametrize("role", ["agent", "team_lead", "complaint_specialist"])
def test_other_roles_get_403(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/qa/rules/").status_code == 403
    assert client.post("/qa/rules/forbidden/new/", NEW).status_code == 403
    assert client.post("/qa/rules/try/", {"text": "管不了"}).status_code == 403
    assert profile_current_version().number == 1


def test_a_manager_may_open_it(client, manager):
    client.force_login(manager)
    assert client.get("/qa/rules/").status_code == 200


def test_add_edit_and_remove_a_forbidden_phrase(client, qa):
    client.force_login(qa)
    assert client.get("/qa/rules/forbidden/new/").status_code == 200
    response = client.post("/qa/rules/forbidden/new/", NEW)
    assert response.status_code == 302
    version = profile_current_version()
    assert version.number == 2 and version.note == "quality rules: 看着办"
    rule = next(r for r in rules_data()["forbidden"] if r["key"] == "leave_it_to_you")
    assert rule["phrases"] == ["看着办", "你自己看着办"]

    tried = client.post("/qa/rules/try/", {"text": "这事你看着办吧"}, HTTP_HX_REQUEST="true")
    assert "看着办" in tried.content.decode() and "我来为您处理" in tried.content.decode()

    edit = client.get("/qa/rules/forbidden/leave_it_to_you/")
    assert "你自己看着办" in edit.content.decode()
    client.post("/qa/rules/forbidden/leave_it_to_you/", {**NEW, "phrases": "看着处理"})
    rule = next(r for r in rules_data()["forbidden"] if r["key"] == "leave_it_to_you")
    assert rule["phrases"] == ["看着处理"] and profile_current_version().number == 3

    client.post("/qa/rules/forbidden/leave_it_to_you/remove/")
    assert "leave_it_to_you" not in {r["key"] for r in rules_data()["forbidden"]}
    assert profile_current_version().number == 4
    tried = client.post("/qa/rules/try/", {"text": "这事你看着处理吧"}, HTTP_HX_REQUEST="true")
    assert 'id="try-findings"' in tried.content.decode()
    assert "看着处理" not in tried.content.decode().split("try-findings", 1)[1]


def test_a_bad_rule_is_shown_on_its_field(client, qa, english):
    client.force_login(qa)
    response = client.post("/qa/rules/forbidden/new/", {**NEW, "gaps": "不归管"})
    assert response.status_code == 422
    assert "quality_rules.forbidden.5.gaps" in response.content.decode()
    duplicate = client.post("/qa/rules/forbidden/new/", {**NEW, "key": "shirking"})
    assert duplicate.status_code == 422 and "exists" in duplicate.content.decode()
    assert profile_current_version().number == 1


def test_thresholds_change_the_speech_band_only(client, qa):
    client.force_login(qa)
    form = client.get("/qa/rules/").context["thresholds"]
    # What the browser sends back: every number as shown, the ticked switches as "on".
    values = {
        name: "on" if field.initial is True else field.initial
        for name, field in form.fields.items()
        if field.initial not in (False, None)
    }
    values.update({"speech_rate.max_cpm": 220, "note": "语速上限220"})
    response = client.post("/qa/rules/thresholds/", values)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert rules_data()["speech_rate"]["max_cpm"] == 220
    assert rules_data()["speech_rate"]["min_cpm"] == 120
    assert standard_value("first_response_urgent") == "1h"
    bad = client.post("/qa/rules/thresholds/", {**values, "speech_rate.min_cpm": 500})
    assert bad.status_code == 422
    assert rules_data()["speech_rate"]["min_cpm"] == 120


def test_try_it_without_htmx_renders_the_page(client, qa):
    client.force_login(qa)
    page = client.post("/qa/rules/try/", {"text": "这不是我的职责"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<mark>这不是我的职责</mark>" in html and "请问还有其他可以帮您的吗" in html

"""Browser test of the inspection workflow (QA-1, QA-2) in a real Chromium: the QA specialist
opens the queue from the Quality menu, starts a pending inspection, scores the manual items and
submits; the agent sees only their own result (another agent's inspection is not listed and
its page is a 404) and appeals with a reason; a manager re-reviews with a changed score and
makes it final; the agent sees the final result."""

from __future__ import annotations

from typing import Any

import pytest

from kefu.accounts.roles import Role
from kefu.quality import inspection_services as services
from kefu.quality.models import Appeal, Inspection, InspectionReason, InspectionState
from kefu.quality.tests.inspection_data import chat_contact, make_scorecard, manual_ids
from kefu.tests_support import factories
from kefu.tests_support.browser import (  # noqa: F401  (fixtures used by name)
    NO_CHROMIUM,
    _orm_beside_playwright,
    browser,
    log_in,
    new_page,
    shot,
)

pytestmark = [
    NO_CHROMIUM,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
)
expect = sync_api.expect
S = InspectionState


def _quality_menu(page: Any, href: str) -> None:
    """Navigate through the Quality menu of the top bar."""
    page.locator("nav a.dropdown-toggle:has(i.fa-clipboard-check)").click()
    item = page.locator(f".dropdown-menu a.dropdown-item[href='{href}']")
    expect(item).to_be_visible()
    item.click()
    page.wait_for_url(f"**{href}")


def _user(browser: Any, live_server: Any, username: str) -> Any:
    page = new_page(browser, locale="en-US")
    log_in(page, live_server, username)
    return page


def test_inspect_appeal_re_review_and_final_result_in_the_browser(
    browser: Any, live_server: Any, settings: Any, qa: Any, agent: Any, other_agent: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    manager = factories.UserFactory(username="boss", roles=[Role.MANAGER])
    card = make_scorecard()
    solved, sound = manual_ids(card)
    pending = services.inspection_create(
        actor=qa,
        contact=chat_contact(agent),
        reason=InspectionReason.MANUAL,
        scorecard=card,
        inspector=qa,
    )
    # Another agent's result, already scored: the agent must never see it.
    other = services.inspection_create(
        actor=qa,
        contact=chat_contact(other_agent),
        reason=InspectionReason.MANUAL,
        scorecard=card,
        inspector=qa,
    )
    services.inspection_start(actor=qa, inspection=other)
    services.inspection_score(actor=qa, inspection=other, manual_scores={solved: 1, sound: 1})
    url = f"{live_server.url}/qa/inspections/{pending.pk}/"

    # 1. The QA specialist: Quality menu → inspections → the pending one → start → score.
    page = _user(browser, live_server, qa.username)
    try:
        _quality_menu(page, "/qa/inspections/")
        row = page.locator(f"#inspection-list tr[data-inspection='{pending.pk}']")
        expect(row).to_contain_text("Pending")
        row.get_by_role("link", name=f"QA-{pending.pk}").click()
        page.wait_for_url(url)
        expect(page.locator("#inspection-state")).to_have_attribute("data-state", S.PENDING)
        page.locator("#inspection-start").click()
        expect(page.locator("#inspection-state")).to_have_attribute("data-state", S.IN_REVIEW)
        page.locator(f"input[name='manual-{solved}'][value='0.5']").check()
        page.locator(f"input[name='manual-{sound}'][value='0']").check()
        page.fill("#id_comment", "未确认客户问题是否解决。")
        page.locator("#inspection-score-submit").click()
        expect(page.locator("#inspection-state")).to_have_attribute("data-state", S.SCORED)
        # 不推诿 (2, met) + 问题是否解决 (2 × 0.5) + 方案是否合理 (1 × 0) = 3 of 5.
        expect(page.locator("#inspection-score")).to_have_text("60")
        expect(page.locator("#inspection-result")).to_have_text("Fail")
        shot(page, "qa-inspection-scored.png")
    finally:
        page.context.close()

    # 2. The agent: only their own result; the other agent's is absent; appeal with a reason.
    page = _user(browser, live_server, agent.username)
    try:
        _quality_menu(page, "/qa/inspections/")
        expect(page.locator("h1")).to_have_text("My QA results")
        rows = page.locator("#inspection-list tbody tr[data-inspection]")
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-inspection", str(pending.pk))
        expect(page.locator(f"tr[data-inspection='{other.pk}']")).to_have_count(0)
        response = page.goto(f"{live_server.url}/qa/inspections/{other.pk}/")
        assert response is not None and response.status == 404
        page.goto(url)
        expect(page.locator("#inspection-answer")).to_contain_text("You may appeal until")
        page.fill("#id_reason", "客户在通话中已确认问题解决，请复核。")
        page.locator("#inspection-appeal").click()
        expect(page.locator("#inspection-state")).to_have_attribute("data-state", S.APPEALED)
        expect(page.locator("[data-appeal]")).to_contain_text("客户在通话中已确认问题解决")
        expect(page.locator("#inspection-answer")).to_have_count(0)
    finally:
        page.context.close()

    # 3. A manager re-reviews with a changed score and makes it final.
    page = _user(browser, live_server, manager.username)
    try:
        page.goto(url)
        expect(page.locator("[data-appeal]")).to_contain_text("客户在通话中已确认问题解决")
        form = page.locator("#inspection-re-review")
        form.locator(f"input[name='manual-{solved}'][value='1']").check()
        form.locator(f"input[name='manual-{sound}'][value='1']").check()
        form.locator("#id_decision").fill("复听确认：问题已解决，方案合理，改判通过。")
        form.locator("button[type=submit]").click()
        expect(page.locator("#inspection-state")).to_have_attribute("data-state", S.RE_REVIEWED)
        expect(page.locator("#inspection-score")).to_have_text("100")
        page.locator("#inspection-finalize").click()
        expect(page.locator("#inspection-state")).to_have_attribute("data-state", S.FINAL)
    finally:
        page.context.close()

    appeal = Appeal.objects.get(inspection=pending)
    assert (appeal.outcome, appeal.score_before, appeal.score_after) == ("changed", 60.0, 100.0)
    assert appeal.decided_by == manager

    # 4. The agent sees the final result: passed, 100, with the decision on the appeal.
    page = _user(browser, live_server, agent.username)
    try:
        page.goto(f"{live_server.url}/qa/inspections/")
        row = page.locator(f"#inspection-list tr[data-inspection='{pending.pk}']")
        expect(row).to_contain_text("Final")
        expect(row).to_contain_text("100")
        expect(row).to_contain_text("Pass")
        row.get_by_role("link", name=f"QA-{pending.pk}").click()
        page.wait_for_url(url)
        expect(page.locator("#inspection-state")).to_have_attribute("data-state", S.FINAL)
        expect(page.locator("#inspection-result")).to_have_text("Pass")
        expect(page.locator("[data-appeal]")).to_contain_text("改判通过")
        expect(page.locator("#inspection-answer")).to_have_count(0)
        shot(page, "qa-inspection-final-agent.png")
    finally:
        page.context.close()
    assert Inspection.objects.get(pk=pending.pk).state == S.FINAL

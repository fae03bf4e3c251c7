"""Browser test of the classification panel (TEC-4) in a real Chromium: an agent opens a new
ticket, sees the suggested category and urgency with their confidence, corrects the urgency
and category with the Correct form; the ticket's fields and timeline follow, and the panel
shows the decision without buttons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kefu.assist.classification_services import classification_suggest, classifier_train
from kefu.assist.models import SuggestionDecision
from kefu.assist.tests.classification_support import seed_training_tickets, use_data_dir
from kefu.tests_support.browser import (  # noqa: F401  (fixtures used by name)
    NO_CHROMIUM,
    _orm_beside_playwright,
    browser,
    log_in,
    new_page,
    shot,
)
from kefu.tests_support.factories import make_ticket
from kefu.tickets.models import Category

pytestmark = [
    NO_CHROMIUM,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
)
expect = sync_api.expect


def test_agent_corrects_a_suggestion_in_the_browser(
    browser: Any, live_server: Any, settings: Any, tmp_path: Path, agent: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    use_data_dir(settings, tmp_path)
    seed_training_tickets()
    classifier_train(embedding=None)
    ticket = make_ticket(
        actor=agent, category="consult.product", subject="退款", description="退款还没到账"
    )
    suggestion = classification_suggest(ticket=ticket)
    assert suggestion is not None and suggestion.category.code == "after_sales.refund"

    page = new_page(browser, locale="en-US")
    log_in(page, live_server, agent.username)
    page.goto(f"{live_server.url}/tickets/{ticket.number}/")
    panel = page.locator("#classification-ticket")
    expect(panel.locator("[data-category='after_sales.refund']")).to_be_visible()
    expect(panel).to_contain_text("%")
    panel.locator("summary").click()
    repair = Category.objects.get(code="after_sales.repair")
    panel.locator("select[name='category']").select_option(str(repair.pk))
    panel.locator("select[name='urgency']").select_option("urgent")
    panel.get_by_role("button", name="Save correction").click()
    page.wait_for_url(f"**/tickets/{ticket.number}/")
    expect(page.locator("#classification-ticket .badge")).to_be_visible()
    expect(page.locator("#classification-ticket form")).to_have_count(0)
    shot(page, "classification-corrected.png")

    suggestion.refresh_from_db()
    ticket.refresh_from_db()
    assert suggestion.decision == SuggestionDecision.CORRECTED
    assert (ticket.category.code, ticket.urgency) == ("after_sales.repair", "urgent")

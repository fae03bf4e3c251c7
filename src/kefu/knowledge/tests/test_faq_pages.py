"""FAQ entry pages (TEC-2, TEC-5): list with filters, new/edit form, Excel import with the
error table, export; editors only for writes (403 otherwise)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from kefu.accounts.roles import Role
from kefu.knowledge.faq_excel import HEADER
from kefu.knowledge.faq_services import category_create, faq_create
from kefu.knowledge.models import Faq
from kefu.tests_support import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer():
    return factories.UserFactory(username="trainer", roles=[Role.TRAINER])


def xlsx(*rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(list(HEADER))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("faq.xlsx", out.getvalue())


def test_list_with_filters_for_staff(client, trainer, agent):
    category = category_create(actor=trainer, path="售后")
    faq_create(actor=trainer, question="怎么退货？", answer="七天", category=category)
    faq_create(actor=trainer, question="发票", answer="订单页", channels=["sms"])
    client.force_login(agent)
    page = client.get("/knowledge/faqs/", {"q": "退货"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "怎么退货？" in html and "发票" not in html
    assert "/knowledge/faqs/new/" not in html
    by_channel = client.get("/knowledge/faqs/", {"channel": "chat"}).content.decode()
    assert "怎么退货？" in by_channel and "发票" not in by_channel
    by_category = client.get("/knowledge/faqs/", {"category": category.pk}).content.decode()
    assert "怎么退货？" in by_category and "发票" not in by_category


def test_agents_may_not_write(client, agent):
    client.force_login(agent)
    for url in ("/knowledge/faqs/new/", "/knowledge/faqs/import/", "/knowledge/faqs/export/"):
        assert client.get(url).status_code == 403


def test_anonymous_is_sent_to_login(client):
    assert client.get("/knowledge/faqs/").status_code == 302


def test_new_and_edit(client, trainer):
    client.force_login(trainer)
    assert client.get("/knowledge/faqs/new/").status_code == 200
    response = client.post(
        "/knowledge/faqs/new/",
        {
            "question": "怎么退货？",
            "similar_questions": "如何退货\n退货流程\n",
            "answer": "七天",
            "category": "售后/退换货",
            "channels": ["chat", "portal"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    faq = Faq.objects.get()
    assert [s.text for s in faq.similar_questions.all()] == ["如何退货", "退货流程"]
    assert faq.channels == ["portal", "chat"] and faq.category.name == "退换货"
    edit_url = f"/knowledge/faqs/{faq.pk}/"
    page = client.get(edit_url)
    assert page.status_code == 200 and "退货流程" in page.content.decode()
    saved = client.post(
        edit_url,
        {"question": "怎么退货？", "answer": "八天", "category": "售后/退换货", "version": 1},
    )
    assert saved.status_code == 302
    faq.refresh_from_db()
    assert (faq.answer, faq.version, faq.is_active) == ("八天", 2, False)
    stale = client.post(edit_url, {"question": "怎么退货？", "answer": "九天", "version": 1})
    assert stale.status_code == 422
    assert client.get("/knowledge/faqs/999999/").status_code == 404


def test_import_shows_the_error_table_and_writes_nothing(client, trainer, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(trainer)
    assert client.get("/knowledge/faqs/import/").status_code == 200
    bad = client.post(
        "/knowledge/faqs/import/",
        {"file": xlsx(("问题", "", "答案", "", "fax", "", ""), ("", "", "无", "", "", "", ""))},
    )
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "unknown channel fax" in html and "the standard question is missing" in html
    assert Faq.objects.count() == 0
    notxlsx = client.post(
        "/knowledge/faqs/import/", {"file": SimpleUploadedFile("a.csv", b"a,b\n")}
    )
    assert notxlsx.status_code == 422 and Faq.objects.count() == 0
    dry = client.post(
        "/knowledge/faqs/import/",
        {"file": xlsx(("问题", "", "答案", "", "", "", "")), "dry_run": "on"},
    )
    assert dry.status_code == 200 and Faq.objects.count() == 0
    done = client.post(
        "/knowledge/faqs/import/", {"file": xlsx(("问题", "", "答案", "", "", "", ""))}
    )
    assert done.status_code == 302 and Faq.objects.count() == 1
    export = client.get("/knowledge/faqs/export/")
    assert export.status_code == 200 and export["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )

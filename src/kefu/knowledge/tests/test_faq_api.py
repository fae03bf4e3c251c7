"""FAQ entries over HTTP (TEC-2, TEC-5): list with filters, create, read, versioned edit,
Excel import with per-row errors (422, nothing written) and export."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from kefu.accounts.roles import Role
from kefu.knowledge.faq_excel import HEADER
from kefu.knowledge.faq_services import category_create, faq_create
from kefu.knowledge.models import Faq
from kefu.tests_support import factories

pytestmark = pytest.mark.django_db
URL = "/api/v1/knowledge/faqs"


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


def test_list_filters_and_paginates(client, trainer, agent):
    sub = category_create(actor=trainer, path="售后/退换货")
    faq_create(
        actor=trainer,
        question="怎么退货？",
        answer="七天",
        similar_questions=["如何退货"],
        category=sub,
        channels=["chat"],
    )
    faq_create(actor=trainer, question="发票", answer="订单页", channels=["sms"])
    faq_create(actor=trainer, question="全部渠道", answer="都行", is_active=False)
    client.force_login(agent)
    body = client.get(URL, {"q": "如何"}).json()
    assert [i["question"] for i in body["items"]] == ["怎么退货？"]
    assert body["items"][0]["category_path"] == "售后/退换货"
    parent = sub.parent_id
    assert [i["question"] for i in client.get(URL, {"category": parent}).json()["items"]] == [
        "怎么退货？"
    ]
    chat = {i["question"] for i in client.get(URL, {"channel": "chat"}).json()["items"]}
    assert chat == {"怎么退货？", "全部渠道"}
    inactive = client.get(URL, {"active": "false"}).json()
    assert [i["question"] for i in inactive["items"]] == ["全部渠道"]
    paged = client.get(URL, {"page_size": 2, "page": 2}).json()
    assert paged["count"] == 3 and len(paged["items"]) == 1
    assert client.get(URL, {"channel": "fax"}).status_code == 422


def test_create_read_and_versioned_patch(client, trainer, agent):
    client.force_login(trainer)
    response = client.post(
        URL,
        {"question": "怎么退货？", "answer": "**七天**", "similar_questions": ["如何退货"]},
        content_type="application/json",
    )
    assert response.status_code == 201
    faq = response.json()
    assert faq["answer_html"] == "<p><strong>七天</strong></p>\n"
    assert client.get(f"{URL}/{faq['id']}").json()["similar_questions"] == ["如何退货"]
    edited = client.patch(
        f"{URL}/{faq['id']}", {"version": 1, "answer": "八天"}, content_type="application/json"
    )
    assert edited.status_code == 200 and edited.json()["version"] == 2
    stale = client.patch(
        f"{URL}/{faq['id']}", {"version": 1, "answer": "九天"}, content_type="application/json"
    )
    assert stale.status_code == 409
    bad = client.post(
        URL, {"question": "x", "answer": "y", "channels": ["fax"]}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert client.get(f"{URL}/999999").status_code == 404
    client.force_login(agent)
    assert (
        client.post(
            URL, {"question": "a", "answer": "b"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_import_and_export(client, trainer, agent):
    client.force_login(trainer)
    dry = client.post(
        f"{URL}/import", {"file": xlsx(("问题", "", "答案", "", "", "", "")), "dry_run": "true"}
    )
    assert dry.status_code == 200
    assert dry.json() == {"created": 1, "updated": 0, "dry_run": True, "errors": []}
    assert Faq.objects.count() == 0
    bad = client.post(
        f"{URL}/import",
        {"file": xlsx(("问题", "", "答案", "", "", "", ""), ("", "", "无", "", "", "", ""))},
    )
    assert bad.status_code == 422
    assert [(e["row"], e["column"]) for e in bad.json()["errors"]] == [(3, "标准问题")]
    assert Faq.objects.count() == 0
    done = client.post(f"{URL}/import", {"file": xlsx(("问题", "", "答案", "", "", "", ""))})
    assert done.status_code == 200 and done.json()["created"] == 1
    notxlsx = client.post(f"{URL}/import", {"file": SimpleUploadedFile("a.csv", b"a,b\n")})
    assert notxlsx.status_code == 422 and notxlsx.json()["field"] == "file"
    export = client.get(f"{URL}/export")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet["A2"].value == "问题"
    client.force_login(agent)
    assert client.get(f"{URL}/export").status_code == 403
    assert client.post(f"{URL}/import", {"file": xlsx()}).status_code == 403

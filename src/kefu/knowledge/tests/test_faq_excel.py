"""FAQ entries to and from Excel (TEC-2, TEC-5): round trip, per-row errors with nothing
written, dry run, refused files, and ``kefu knowledge faq-import/faq-export``."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from kefu.accounts.roles import Role
from kefu.audit.models import AuditEvent
from kefu.core.errors import InvalidInput, PermissionDenied
from kefu.core.timeutils import now
from kefu.knowledge.faq_excel import HEADER, faq_export, faq_import
from kefu.knowledge.faq_services import category_create, faq_create
from kefu.knowledge.models import Article, Faq, KnowledgeCategory
from kefu.tests_support import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer():
    return factories.UserFactory(username="trainer", roles=[Role.TRAINER])


@pytest.fixture
def article(trainer):
    moment = now()
    return Article.objects.create(
        title="退货政策",
        body="七天无理由",
        type="after_sales",
        owner=trainer,
        created_by=trainer,
        created_at=moment,
        updated_at=moment,
    )


def workbook(*rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_round_trip_changes_nothing(trainer, article):
    category = category_create(actor=trainer, path="售后/退换货")
    faq_create(
        actor=trainer,
        question="怎么退货？",
        answer="**七天**无理由退货\n\n第二段",
        similar_questions=["如何退货", "退货流程"],
        category=category,
        channels=["portal", "chat"],
        article=article,
    )
    faq_create(actor=trainer, question="=1+1", answer="公式不是公式", is_active=False)
    data = faq_export()
    sheet = load_workbook(io.BytesIO(data)).active
    assert tuple(c.value for c in sheet[1]) == HEADER
    assert [c.value for c in sheet[2]] == [
        "怎么退货？",
        "如何退货\n退货流程",
        "**七天**无理由退货\n\n第二段",
        "售后/退换货",
        "portal,chat",
        article.pk,
        "是",
    ]
    events = AuditEvent.objects.count()
    result = faq_import(actor=trainer, data=data)
    assert (result.created, result.updated, result.errors) == (0, 0, [])
    assert AuditEvent.objects.count() == events
    assert Faq.objects.get(question="=1+1").is_active is False
    assert Faq.objects.filter(version=1).count() == 2


def test_import_creates_and_updates(trainer, article):
    faq_create(actor=trainer, question="怎么退货？", answer="旧答案")
    data = workbook(
        ("怎么退货？", "如何退货", "新答案", "", "", "", "是"),
        (
            "发票怎么开？",
            "开发票\n要发票",
            "在订单页申请",
            "财务/发票",
            "wechat，sms",
            article.pk,
            "",
        ),
    )
    result = faq_import(actor=trainer, data=data)
    assert (result.created, result.updated, result.errors) == (1, 1, [])
    updated = Faq.objects.get(question="怎么退货？")
    assert (updated.answer, updated.version) == ("新答案", 2)
    created = Faq.objects.get(question="发票怎么开？")
    assert [s.text for s in created.similar_questions.all()] == ["开发票", "要发票"]
    assert created.channels == ["wechat", "sms"]
    assert created.category.name == "发票" and created.category.parent.name == "财务"
    assert created.article == article and created.is_active


def test_errors_are_reported_per_row_and_nothing_is_written(trainer, settings):
    settings.LANGUAGE_CODE = "en"
    data = workbook(
        ("好问题", "", "好答案", "新分类", "", "", ""),
        ("", "", "没有问题", "", "", "", ""),
        ("没有答案", "", "", "", "fax", "999999", "也许"),
        ("好问题", "", "重复", "", "", "", ""),
        ("太长" * 200, "", "答案", "", "", "abc", ""),
    )
    result = faq_import(actor=trainer, data=data)
    errors = [(e.row, e.column, e.reason) for e in result.errors]
    assert errors == [
        (3, "标准问题", "the standard question is missing"),
        (4, "答案", "the answer is missing"),
        (4, "渠道", "unknown channel fax; one of portal, chat, wechat, sms, agent"),
        (4, "关联文章ID", "no article 999999"),
        (4, "启用", "must be 是 or 否"),
        (5, "标准问题", "the same standard question is in row 2"),
        (6, "标准问题", "at most 300 characters"),
        (6, "关联文章ID", "must be an article number"),
    ]
    assert Faq.objects.count() == 0
    assert KnowledgeCategory.objects.count() == 0
    assert (result.created, result.updated) == (0, 0)


def test_dry_run_writes_nothing(trainer):
    data = workbook(("问题", "", "答案", "分类", "", "", ""))
    result = faq_import(actor=trainer, data=data, dry_run=True)
    assert (result.created, result.updated, result.errors) == (1, 0, [])
    assert Faq.objects.count() == 0
    assert KnowledgeCategory.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(
    "data",
    [b"question,answer\n1,2\n", b"PK\x03\x04 not really a zip", b"", b"x" * (5 * 1024 * 1024 + 1)],
)
def test_a_file_that_is_not_xlsx_is_invalid(trainer, data):
    with pytest.raises(InvalidInput) as error:
        faq_import(actor=trainer, data=data)
    assert error.value.field == "file"


def test_a_wrong_header_is_invalid(trainer):
    with pytest.raises(InvalidInput) as error:
        faq_import(actor=trainer, data=workbook(("a", "", "b"), header=("Q", "S", "A")))
    assert error.value.field == "file"


def test_agents_may_not_import(agent):
    with pytest.raises(PermissionDenied):
        faq_import(actor=agent, data=workbook(("问题", "", "答案", "", "", "", "")))


def test_command_exports_and_imports(trainer, tmp_path, capsys):
    faq_create(actor=trainer, question="怎么退货？", answer="七天")
    path = tmp_path / "faq.xlsx"
    call_command("knowledge", "faq-export", str(path))
    Faq.objects.all().delete()
    call_command("knowledge", "faq-import", str(path), "--user", "trainer", "--dry-run")
    assert Faq.objects.count() == 0
    call_command("knowledge", "faq-import", str(path), "--user", "trainer")
    assert Faq.objects.get().answer == "七天"
    assert "created 1, updated 0" in capsys.readouterr().out


def test_command_prints_errors_and_exits_2(trainer, tmp_path, capsys, settings):
    settings.LANGUAGE_CODE = "en"
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook(("", "", "答案", "", "", "", ""), ("问题", "", "", "", "", "", "")))
    with pytest.raises(SystemExit) as exit_:
        call_command("knowledge", "faq-import", str(path), "--user", "trainer")
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "row 2, 标准问题: the standard question is missing" in err
    assert "row 3, 答案: the answer is missing" in err
    assert Faq.objects.count() == 0


def test_too_many_rows_is_invalid(trainer, monkeypatch):
    monkeypatch.setattr("kefu.knowledge.faq_excel.MAX_ROWS", 2)
    rows = [(f"问题{i}", "", "答案", "", "", "", "") for i in range(3)]
    with pytest.raises(InvalidInput) as error:
        faq_import(actor=trainer, data=workbook(*rows))
    assert error.value.field == "file"
    assert Faq.objects.count() == 0

"""The improvement register screens (IMP-3, CMP-4): list, entry, edit and the Excel export."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import transaction
from django.utils import timezone, translation
from openpyxl import load_workbook

from kefu.audit.models import AuditEvent
from kefu.complaints.models import Improvement, ImprovementStatus, RectificationType
from kefu.complaints.services import complaint_register, improvement_create
from kefu.core.timeutils import local_date, now
from kefu.tests_support.html import unlabelled_controls

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["问题", "数据/证据", "改进措施", "类型", "负责人", "期限", "结果", "状态", "来源工单"]


def _today() -> dt.date:
    return local_date(now())


@pytest.fixture
def line(complaint_specialist, manager):
    return improvement_create(
        actor=complaint_specialist,
        problem="退款超过 3 天未到账",
        evidence="11 月 12 张工单",
        action="财务每日对账",
        action_type="process_change",
        owner=manager,
        due=_today() + dt.timedelta(days=10),
    )


@pytest.fixture
def from_complaint(complaint_specialist, manager, customer):
    with transaction.atomic():
        complaint = complaint_register(
            actor=complaint_specialist,
            type="other",
            severity="general",
            demands="退还重复扣费",
            channel="phone",
            customer=customer,
            notify_customer=False,
        )
    return Improvement.objects.create(
        problem="重复扣费",
        action="修复计费系统",
        action_type="training",
        owner=manager,
        due=_today() - dt.timedelta(days=2),  # overdue
        complaint=complaint,
        created_at=timezone.now(),
    )


def _form(improvement: Improvement, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "problem": improvement.problem,
        "evidence": improvement.evidence,
        "action": improvement.action,
        "action_type": improvement.action_type,
        "owner": improvement.owner_id,
        "due": improvement.due.isoformat(),
        "status": improvement.status,
        "result": improvement.result,
        "version": improvement.version,
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_agents_may_not_see_or_change_the_register(client, agent, line):
    client.force_login(agent)
    for url in ("/improvements/", "/improvements/new/", f"/improvements/{line.pk}/"):
        assert client.get(url).status_code == 403, url
    assert client.get("/improvements/export.xlsx").status_code == 403
    assert client.post(f"/improvements/{line.pk}/", _form(line, problem="x")).status_code == 403
    assert Improvement.objects.get(pk=line.pk).problem == "退款超过 3 天未到账"


@pytest.mark.django_db
def test_readers_see_the_list_without_edit_links(client, qa, line):
    client.force_login(qa)
    page = client.get("/improvements/")
    assert page.status_code == 200 and "退款超过 3 天未到账" in page.content.decode()
    assert f"/improvements/{line.pk}/" not in page.content.decode()
    assert "/improvements/new/" not in page.content.decode()
    assert client.get(f"/improvements/{line.pk}/").status_code == 403


@pytest.mark.django_db
def test_list_shows_the_columns_overdue_and_the_complaint_ticket(
    client, complaint_specialist, line, from_complaint
):
    client.force_login(complaint_specialist)
    page = client.get("/improvements/").content.decode()
    for text in ("退款超过 3 天未到账", "11 月 12 张工单", "财务每日对账", "修复计费系统"):
        assert text in page
    number = from_complaint.complaint.ticket.number
    assert f'href="/tickets/{number}/"' in page
    overdue = re.findall(r'<span class="kefu-overdue">.*?</span>', page, re.S)
    assert len(overdue) == 1 and from_complaint.due.isoformat() in overdue[0]
    assert f"/improvements/{line.pk}/" in page and "/improvements/new/" in page


@pytest.mark.django_db
def test_status_filter(client, complaint_specialist, line, from_complaint):
    from_complaint.status, from_complaint.result = ImprovementStatus.DONE, "已上线"
    from_complaint.save()
    client.force_login(complaint_specialist)
    done = client.get("/improvements/?status=done")
    assert list(done.context["rows"]) == [from_complaint]
    assert 'href="/improvements/export.xlsx?status=done"' in done.content.decode()
    assert list(client.get("/improvements/?status=open").context["rows"]) == [line]
    assert len(client.get("/improvements/?status=bogus").context["rows"]) == 2


@pytest.mark.django_db
def test_create_with_owner_and_due_date(client, complaint_specialist, manager):
    client.force_login(complaint_specialist)
    form = client.get("/improvements/new/")
    assert form.status_code == 200
    html = form.content.decode()
    assert 'type="date"' in html and f'<option value="{manager.pk}">' in html
    due = _today() + dt.timedelta(days=30)
    response = client.post(
        "/improvements/new/",
        {
            "problem": "首次响应超时多",
            "evidence": "质检抽查 20 单",
            "action": "排班调整",
            "action_type": "training",
            "owner": manager.pk,
            "due": due.isoformat(),
        },
    )
    assert response.status_code == 302 and response["Location"] == "/improvements/"
    created = Improvement.objects.get(problem="首次响应超时多")
    assert (created.owner, created.due, created.status) == (manager, due, "open")
    assert created.created_by == complaint_specialist
    assert AuditEvent.objects.filter(verb="improvement.create", object_id=str(created.pk)).exists()


@pytest.mark.django_db
def test_create_refusals_are_shown_on_the_form(client, complaint_specialist, manager):
    from kefu.accounts.models import User
    from kefu.tests_support.factories import UserFactory

    UserFactory(username="gone", roles=["agent"], is_active=False)
    gone = User.objects.get(username="gone")
    client.force_login(complaint_specialist)
    base = {
        "problem": "问题",
        "action": "措施",
        "action_type": "training",
        "owner": manager.pk,
        "due": (_today() - dt.timedelta(days=1)).isoformat(),
    }
    past = client.post("/improvements/new/", base)
    assert past.status_code == 422 and past.context["form"].errors["due"]
    inactive = client.post(
        "/improvements/new/",
        {**base, "owner": gone.pk, "due": _today().isoformat()},
    )
    assert inactive.status_code == 422 and inactive.context["form"].errors["owner"]
    empty = client.post("/improvements/new/", {**base, "problem": " "})
    assert empty.status_code == 422 and empty.context["form"].errors["problem"]
    assert not Improvement.objects.exists()


@pytest.mark.django_db
def test_edit_saves_and_audits(client, complaint_specialist, qa, line):
    client.force_login(complaint_specialist)
    page = client.get(f"/improvements/{line.pk}/")
    assert page.status_code == 200 and 'name="version"' in page.content.decode()
    response = client.post(
        f"/improvements/{line.pk}/", _form(line, owner=qa.pk, action="财务每日对账并抽查")
    )
    assert response.status_code == 302
    saved = Improvement.objects.get(pk=line.pk)
    assert (saved.owner, saved.action, saved.version) == (qa, "财务每日对账并抽查", 2)
    event = AuditEvent.objects.get(verb="improvement.update")
    assert event.after == {"action": "财务每日对账并抽查", "owner_id": qa.pk}


@pytest.mark.django_db
def test_done_needs_a_result(client, complaint_specialist, line):
    client.force_login(complaint_specialist)
    refused = client.post(f"/improvements/{line.pk}/", _form(line, status="done"))
    assert refused.status_code == 422 and refused.context["form"].errors["result"]
    assert Improvement.objects.get(pk=line.pk).status == "open"
    done = client.post(f"/improvements/{line.pk}/", _form(line, status="done", result="已上线"))
    assert done.status_code == 302
    saved = Improvement.objects.get(pk=line.pk)
    assert saved.status == "done" and saved.completed_at is not None


@pytest.mark.django_db
def test_stale_edit_is_refused_and_keeps_the_text(client, complaint_specialist, manager, line):
    client.force_login(complaint_specialist)
    client.post(f"/improvements/{line.pk}/", _form(line, evidence="新证据"))
    stale = client.post(f"/improvements/{line.pk}/", _form(line, action="我的新措施"))
    assert stale.status_code == 422 and stale.context["form"].non_field_errors()
    assert "我的新措施" in stale.content.decode()
    assert Improvement.objects.get(pk=line.pk).action == "财务每日对账"


@pytest.mark.django_db
def test_overdue_line_from_a_complaint_can_still_be_completed(
    client, complaint_specialist, from_complaint
):
    """An unchanged past due date (and owner) is not refused when the result is recorded."""
    client.force_login(complaint_specialist)
    response = client.post(
        f"/improvements/{from_complaint.pk}/",
        _form(from_complaint, status="done", result="系统已修复"),
    )
    assert response.status_code == 302
    assert Improvement.objects.get(pk=from_complaint.pk).status == "done"
    assert client.get("/improvements/999999/").status_code == 404


@pytest.mark.django_db
def test_forms_label_their_controls(client, complaint_specialist, line):
    client.force_login(complaint_specialist)
    for url in ("/improvements/", "/improvements/new/", f"/improvements/{line.pk}/"):
        page = client.get(url).content.decode()
        assert not unlabelled_controls(page), (url, unlabelled_controls(page))


@pytest.mark.django_db
def test_export_opens_in_excel_with_headers_and_rows(
    client, complaint_specialist, manager, line, from_complaint
):
    line.problem = '=HYPERLINK("http://evil")\x01'
    line.save()
    client.force_login(complaint_specialist)
    response = client.get("/improvements/export.xlsx")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert re.search(
        r'attachment; filename="improvements-\d{8}\.xlsx"', response["Content-Disposition"]
    )
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["A"].width >= 30
    assert len(rows) == 3
    by_problem = {row[0]: row for row in rows[1:]}
    typed = by_problem['=HYPERLINK("http://evil")']  # the control character is dropped
    line_number = 2 + [row[0] for row in rows[1:]].index('=HYPERLINK("http://evil")')
    assert sheet.cell(row=line_number, column=1).data_type == "s"  # text, never a formula
    with translation.override("zh-hans"):
        assert typed[3] == str(RectificationType.PROCESS_CHANGE.label)
        assert typed[7] == str(ImprovementStatus.OPEN.label)
    assert isinstance(typed[5], dt.datetime) and typed[5].date() == line.due
    assert sheet.cell(row=line_number, column=6).number_format == "yyyy-mm-dd"
    complaint_row = by_problem["重复扣费"]
    assert complaint_row[8] == from_complaint.complaint.ticket.number
    assert complaint_row[4] == manager.display_name
    done_only = client.get("/improvements/export.xlsx?status=done")
    assert len(list(load_workbook(io.BytesIO(done_only.content)).active.iter_rows())) == 1
    assert "-done.xlsx" in done_only["Content-Disposition"]

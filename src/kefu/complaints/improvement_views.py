"""The improvement register (IMP-3 "problem → data → improvement", CMP-4): list, entry, export.

A line comes from a complaint's rectification or is entered by hand (QA findings, frequent
issues). The register exports to Excel for the monthly review.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font

from kefu.accounts.models import User
from kefu.complaints.models import Improvement, ImprovementStatus, RectificationType
from kefu.complaints.selectors import improvements
from kefu.complaints.services import improvement_create, improvement_update
from kefu.core.errors import InvalidInput, KefuError
from kefu.core.forms import DayField
from kefu.core.templatetags.kefu_tags import person
from kefu.core.timeutils import local_date, now
from kefu.core.web import explain

PAGE_SIZE = 50
MAX_PAGE = 400
TEXT_LIMIT = 4_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The export's columns: Chinese header and width in characters.
EXPORT_COLUMNS = (
    ("问题", 40),
    ("数据/证据", 40),
    ("改进措施", 40),
    ("类型", 12),
    ("负责人", 12),
    ("期限", 12),
    ("结果", 40),
    ("状态", 10),
    ("来源工单", 18),
)


class ImprovementFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("Any status")), *ImprovementStatus.choices],
        required=False,
    )


class StaffChoiceField(forms.ModelChoiceField):
    """A member of staff, shown as people know them."""

    def label_from_instance(self, obj: Any) -> str:
        return person(obj)


def _text_area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ImprovementForm(forms.Form):
    """A new line of the register."""

    problem = forms.CharField(
        label=gettext_lazy("Problem"), max_length=TEXT_LIMIT, widget=_text_area()
    )
    evidence = forms.CharField(
        label=gettext_lazy("Data / evidence"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=_text_area(),
        help_text=gettext_lazy("Figures, tickets, recordings or logs that show the problem."),
    )
    action = forms.CharField(
        label=gettext_lazy("Improvement measure"), max_length=TEXT_LIMIT, widget=_text_area()
    )
    action_type = forms.ChoiceField(label=gettext_lazy("Type"), choices=RectificationType.choices)
    owner = StaffChoiceField(
        label=gettext_lazy("Owner"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        empty_label=gettext_lazy("Choose an owner"),
    )
    due = DayField(label=gettext_lazy("Due"))


class ImprovementEditForm(ImprovementForm):
    """A line of the register as its owner or a manager updates it."""

    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=ImprovementStatus.choices)
    result = forms.CharField(
        label=gettext_lazy("Result"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=_text_area(),
        help_text=gettext_lazy("Required before the improvement is marked done."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, improvement: Improvement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        # The present owner stays choosable even after leaving; a change needs an active one.
        owner.queryset = User.objects.filter(
            Q(is_active=True) | Q(pk=improvement.owner_id)
        ).order_by("username")


def _refusal(form: forms.Form, error: KefuError) -> None:
    if isinstance(error, InvalidInput) and error.field == "result":
        message = _("Record the result before marking the improvement done.")
    else:
        message = explain(error)
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields and field != "version" else None, message)


def _status_filter(request: HttpRequest) -> tuple[ImprovementFilterForm, str]:
    form = ImprovementFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_bound and form.is_valid() else ""
    return form, status


def _page(request: HttpRequest) -> int:
    try:
        return min(max(1, int(request.GET.get("page", "1"))), MAX_PAGE)
    except (ValueError, OverflowError):
        return 1


@login_required
@permission_required("complaints.view_improvement", raise_exception=True)
def improvement_list(request: HttpRequest) -> HttpResponse:
    form, status = _status_filter(request)
    page = _page(request)
    start = (page - 1) * PAGE_SIZE
    found = list(improvements(user=request.user, status=status)[start : start + PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "complaints/improvements.html",
        {
            "form": form,
            "rows": found[:PAGE_SIZE],
            "today": local_date(now()),
            "page": page,
            "has_next": len(found) > PAGE_SIZE,
            "query": query.urlencode(),
            "export_query": f"status={status}" if status else "",
            "may_change": request.user.has_perm("complaints.change_improvement"),
        },
    )


@login_required
@permission_required("complaints.add_improvement", raise_exception=True)
def improvement_new(request: HttpRequest) -> HttpResponse:
    form = ImprovementForm(
        request.POST if request.method == "POST" else None,
        initial={"action_type": RectificationType.PROCESS_CHANGE},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            improvement_create(
                actor=request.user,
                problem=data["problem"],
                evidence=data["evidence"],
                action=data["action"],
                action_type=data["action_type"],
                owner=data["owner"],
                due=data["due"],
            )
        except KefuError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("Improvement added to the register."))
            return redirect("improvements")
    return render(
        request,
        "complaints/improvement_form.html",
        {"form": form, "improvement": None},
        status=422 if form.is_bound and form.errors else 200,
    )


def _changes(improvement: Improvement, data: dict[str, Any]) -> dict[str, Any]:
    """Only what the form changed: an unchanged owner who has left, or an unchanged due date
    that has passed, is not refused."""
    current = {
        "problem": improvement.problem,
        "evidence": improvement.evidence,
        "action": improvement.action,
        "action_type": improvement.action_type,
        "owner": improvement.owner,
        "due": improvement.due,
        "status": improvement.status,
        "result": improvement.result,
    }
    return {key: data[key] for key, value in current.items() if data[key] != value}


@login_required
@permission_required("complaints.change_improvement", raise_exception=True)
def improvement_edit(request: HttpRequest, improvement_id: int) -> HttpResponse:
    improvement = improvements(user=request.user).filter(pk=improvement_id).first()
    if improvement is None:
        raise Http404(_("No such improvement."))
    initial = {
        "problem": improvement.problem,
        "evidence": improvement.evidence,
        "action": improvement.action,
        "action_type": improvement.action_type,
        "owner": improvement.owner_id,
        "due": improvement.due,
        "status": improvement.status,
        "result": improvement.result,
        "version": improvement.version,
    }
    form = ImprovementEditForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        improvement=improvement,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            improvement_update(
                actor=request.user,
                improvement=improvement,
                version=data["version"],
                changes=_changes(improvement, data),
            )
        except KefuError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("Improvement saved."))
            return redirect("improvements")
    return render(
        request,
        "complaints/improvement_form.html",
        {"form": form, "improvement": improvement},
        status=422 if form.is_bound and form.errors else 200,
    )


# -- export -----------------------------------------------------------------------------------


def _cell_text(value: str) -> str:
    """Text as a spreadsheet cell holds it: without the control characters Excel refuses."""
    return str(ILLEGAL_CHARACTERS_RE.sub("", value or ""))


def _export_rows(rows: QuerySet[Improvement]) -> list[list[Any]]:
    # The headers are Chinese, so are the labels of type and status.
    with translation.override("zh-hans"):
        types = {key: str(label) for key, label in RectificationType.choices}
        statuses = {key: str(label) for key, label in ImprovementStatus.choices}
    return [
        [
            _cell_text(row.problem),
            _cell_text(row.evidence),
            _cell_text(row.action),
            types.get(row.action_type, row.action_type),
            _cell_text(person(row.owner)),
            row.due,
            _cell_text(row.result),
            statuses.get(row.status, row.status),
            row.complaint.ticket.number if row.complaint_id and row.complaint else "",
        ]
        for row in rows
    ]


def improvement_workbook(rows: QuerySet[Improvement]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "改进登记"
    sheet.append([title for title, _width in EXPORT_COLUMNS])
    bold = Font(bold=True)
    for index, (_title, width) in enumerate(EXPORT_COLUMNS, start=1):
        sheet.cell(row=1, column=index).font = bold
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    sheet.freeze_panes = "A2"
    wrap = Alignment(wrap_text=True, vertical="top")
    for values in _export_rows(rows):
        sheet.append(values)
        line = sheet.max_row
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=line, column=index)
            cell.alignment = wrap
            if isinstance(value, str):
                # Typed text is data, never a formula, even when it starts with "=".
                cell.data_type = "s"
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@login_required
@permission_required("complaints.view_improvement", raise_exception=True)
def improvement_export(request: HttpRequest) -> HttpResponse:
    _form, status = _status_filter(request)
    rows = improvements(user=request.user, status=status)
    response = HttpResponse(improvement_workbook(rows), content_type=XLSX)
    stamp = local_date(now()).strftime("%Y%m%d")
    suffix = f"-{status}" if status else ""
    response["Content-Disposition"] = f'attachment; filename="improvements-{stamp}{suffix}.xlsx"'
    return response

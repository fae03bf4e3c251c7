"""FAQ entry pages (TEC-2, TEC-5) under /knowledge/faqs/: the list with filters, the new and
edit form (similar questions one a line), the Excel import with its error table, and the export.

Everyone on staff reads the list; FAQ editors (trainers, QA specialists, managers,
administrators) add, edit, import and export.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.errors import KefuError, NotFound
from kefu.core.web import explain
from kefu.knowledge import faq_selectors
from kefu.knowledge.faq_excel import CONTENT_TYPE, MAX_BYTES, ImportResult, faq_export, faq_import
from kefu.knowledge.faq_services import (
    ANSWER_LIMIT,
    QUESTION_LIMIT,
    category_create,
    category_path,
    faq_create,
    faq_update,
    may_edit_faqs,
    may_read_faqs,
)
from kefu.knowledge.models import Faq, FaqChannel, KnowledgeCategory

PAGE_SIZE = 50


def _require_reader(request: HttpRequest) -> None:
    if not may_read_faqs(request.user):
        raise PermissionDenied


def _require_editor(request: HttpRequest) -> None:
    if not may_edit_faqs(request.user):
        raise PermissionDenied


class FaqFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), max_length=200, required=False)
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=KnowledgeCategory.objects.all(),
        required=False,
        empty_label=gettext_lazy("Every category"),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        choices=[("", gettext_lazy("Every channel")), *FaqChannel.choices],
        required=False,
    )
    active = forms.ChoiceField(
        label=gettext_lazy("State"),
        choices=[
            ("", gettext_lazy("Active and deactivated")),
            ("1", gettext_lazy("Active")),
            ("0", gettext_lazy("Deactivated")),
        ],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ModelChoiceField)
        field.label_from_instance = category_path  # type: ignore[method-assign,assignment]


class FaqForm(forms.Form):
    question = forms.CharField(label=gettext_lazy("Standard question"), max_length=QUESTION_LIMIT)
    similar_questions = forms.CharField(
        label=gettext_lazy("Similar questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("One a line: other ways customers ask the same question."),
    )
    answer = forms.CharField(
        label=gettext_lazy("Answer (Markdown)"),
        max_length=ANSWER_LIMIT,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    category = forms.CharField(
        label=gettext_lazy("Category"),
        required=False,
        max_length=600,
        help_text=gettext_lazy("A path such as 售后/退换货; missing levels are created."),
    )
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("Channels"),
        choices=FaqChannel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every channel."),
    )
    article = forms.IntegerField(
        label=gettext_lazy("Linked article number"), required=False, min_value=1
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"))
    dry_run = forms.BooleanField(
        label=gettext_lazy("Check only (write nothing)"), required=False, initial=True
    )


def _refusal(form: forms.Form, error: KefuError) -> None:
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields and field != "version" else None, explain(error))


@login_required
def faq_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    form = FaqFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        active = {"1": True, "0": False}.get(data["active"])
        filters = {
            "q": data["q"].strip(),
            "category": data["category"].pk if data["category"] else None,
            "channel": data["channel"],
            "active": active,
        }
    rows = faq_selectors.faqs_visible(user=request.user, **filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "knowledge/faq_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_edit": may_edit_faqs(request.user),
        },
    )


def _save(request: HttpRequest, form: FaqForm, faq: Faq | None) -> Faq | None:
    data = form.cleaned_data
    try:
        category = category_create(actor=request.user, path=data["category"])
        values = {
            "question": data["question"],
            "answer": data["answer"],
            "similar_questions": data["similar_questions"].splitlines(),
            "category": category,
            "channels": data["channels"],
            "article": data["article"],
        }
        if faq is None:
            return faq_create(actor=request.user, is_active=data["is_active"], **values)
        return faq_update(
            actor=request.user,
            faq=faq,
            changes={**values, "is_active": data["is_active"]},
            version=data["version"],
        )
    except KefuError as error:
        _refusal(form, error)
        return None


@login_required
def faq_new(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    # ?question= prefills the standard question (from the FAQ bot's unanswered list, TEC-2).
    initial = {"question": request.GET.get("question", "")[:300]}
    form = FaqForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid() and _save(request, form, None):
        messages.success(request, _("FAQ entry added."))
        return redirect("knowledge-faqs")
    return render(
        request,
        "knowledge/faq_form.html",
        {"form": form, "faq": None},
        status=422 if form.is_bound and form.errors else 200,
    )


@login_required
def faq_edit(request: HttpRequest, faq_id: int) -> HttpResponse:
    _require_editor(request)
    try:
        faq = faq_selectors.faq_get(user=request.user, faq_id=faq_id)
    except NotFound as exc:
        raise Http404(_("No such FAQ entry.")) from exc
    initial = {
        "question": faq.question,
        "similar_questions": "\n".join(s.text for s in faq.similar_questions.all()),
        "answer": faq.answer,
        "category": category_path(faq.category),
        "channels": list(faq.channels),
        "article": faq.article_id,
        "is_active": faq.is_active,
        "version": faq.version,
    }
    form = FaqForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid() and _save(request, form, faq):
        messages.success(request, _("FAQ entry saved."))
        return redirect("knowledge-faqs")
    return render(
        request,
        "knowledge/faq_form.html",
        {"form": form, "faq": faq},
        status=422 if form.is_bound and form.errors else 200,
    )


@login_required
def faq_import_page(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    result: ImportResult | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = upload.read(MAX_BYTES + 1)  # a larger file is refused with the size message
            result = faq_import(actor=request.user, data=data, dry_run=form.cleaned_data["dry_run"])
        except KefuError as error:
            _refusal(form, error)
        else:
            if not result.errors:
                if result.dry_run:
                    messages.info(
                        request,
                        _("Check passed: %(created)d to create, %(updated)d to update.")
                        % {"created": result.created, "updated": result.updated},
                    )
                else:
                    messages.success(
                        request,
                        _("Imported: %(created)d created, %(updated)d updated.")
                        % {"created": result.created, "updated": result.updated},
                    )
                    return redirect("knowledge-faqs")
    failed = bool(form.is_bound and (form.errors or (result is not None and result.errors)))
    return render(
        request,
        "knowledge/faq_import.html",
        {"form": form, "result": result},
        status=422 if failed else 200,
    )


@login_required
def faq_export_download(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    response = HttpResponse(faq_export(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="faq.xlsx"'
    return response


urlpatterns: list[URLPattern] = [
    path("faqs/", faq_list, name="knowledge-faqs"),
    path("faqs/new/", faq_new, name="knowledge-faq-new"),
    path("faqs/<int:faq_id>/", faq_edit, name="knowledge-faq-edit"),
    path("faqs/import/", faq_import_page, name="knowledge-faq-import"),
    path("faqs/export/", faq_export_download, name="knowledge-faq-export"),
]

"""Knowledge-base article pages (TEC-5) under /knowledge/articles/: the list with filters, a new
draft, the article (rendered body, workflow buttons, feedback, versions and a diff), editing,
the review queue of articles past their quarterly review date, and attachments: upload (several
files at once), removal and download (videos stream with byte ranges so the player can seek)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from kefu.core.errors import KefuError, NotFound
from kefu.core.web import explain
from kefu.knowledge import article_selectors as selectors
from kefu.knowledge import article_services as services
from kefu.knowledge import attachment_files
from kefu.knowledge.attachment_download import attachment_response
from kefu.knowledge.markdown import render_markdown
from kefu.knowledge.models import (
    Article,
    ArticleState,
    ArticleType,
    KnowledgeCategory,
)

PAGE_LIMIT = 200


def _category_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(str(c.pk), str(c)) for c in KnowledgeCategory.objects.all()[:500]]


class ArticleFilterForm(forms.Form):
    type = forms.ChoiceField(
        label=gettext_lazy("Type"),
        choices=[("", gettext_lazy("Every type")), *ArticleType.choices],
        required=False,
    )
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        choices=[("", gettext_lazy("Every state")), *ArticleState.choices],
        required=False,
    )
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=(), required=False)
    tag = forms.CharField(
        label=gettext_lazy("Tag"), max_length=services.TAG_TEXT_LIMIT, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _category_choices()  # type: ignore[attr-defined]


class ArticleForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=services.TITLE_LIMIT)
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=ArticleType.choices)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=(), required=False)
    tags = forms.CharField(
        label=gettext_lazy("Tags"),
        required=False,
        max_length=1000,
        help_text=gettext_lazy("Separated by commas."),
    )
    is_public = forms.BooleanField(
        label=gettext_lazy("Visible to customers"), required=False, initial=True
    )
    body = forms.CharField(
        label=gettext_lazy("Body (Markdown)"),
        max_length=services.BODY_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
    )
    note = forms.CharField(
        label=gettext_lazy("Change note"), max_length=services.NOTE_LIMIT, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _category_choices()  # type: ignore[attr-defined]

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "body": data["body"],
            "type": data["type"],
            "category": data["category"] or None,
            "tags": services.clean_tags(data["tags"]),
            "is_public": bool(data["is_public"]),
        }


def _refusal(form: forms.Form, error: KefuError) -> None:
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields and field != "version" else None, explain(error))


def _article_or_404(request: HttpRequest, article_id: int) -> Article:
    try:
        return selectors.article_get(user=request.user, article_id=article_id)
    except NotFound:
        raise Http404(_("No such article.")) from None


@login_required
def article_list(request: HttpRequest) -> HttpResponse:
    form = ArticleFilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors.article_list(
        user=request.user,
        type=data.get("type", ""),
        state=data.get("state", ""),
        category=data.get("category") or None,
        tag=(data.get("tag") or "").strip(),
    )
    reviewer = services.may_review_articles(request.user)
    return render(
        request,
        "knowledge/article_list.html",
        {
            "form": form,
            "rows": list(rows[:PAGE_LIMIT]),
            "queue": list(selectors.review_queue(user=request.user)[:50]) if reviewer else [],
            "may_add": services.may_write_articles(request.user),
        },
    )


@login_required
def article_new(request: HttpRequest) -> HttpResponse:
    if not services.may_write_articles(request.user):
        raise PermissionDenied
    form = ArticleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.article_create(
                actor=request.user, note=form.cleaned_data["note"], **form.changes()
            )
        except KefuError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("knowledge-article", article_id=article.pk)
    return render(
        request,
        "knowledge/article_form.html",
        {"form": form, "article": None},
        status=422 if form.is_bound and form.errors else 200,
    )


@login_required
def article_page(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article_or_404(request, article_id)
    versions = list(selectors.article_versions(article))
    diff: list[tuple[str, str]] = []
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    if a.isdigit() and b.isdigit():
        try:
            diff = selectors.version_diff(article=article, a=int(a), b=int(b))
        except KefuError as error:
            messages.error(request, explain(error))
    published = article.published_version
    editable = services.may_edit_article(request.user, article)
    return render(
        request,
        "knowledge/article_page.html",
        {
            "article": article,
            "body_html": render_markdown(article.body),
            "published_html": render_markdown(published.body) if published else "",
            "shows_revision": published is not None and published.number != article.version,
            "versions": versions,
            "diff": diff,
            "diff_a": a,
            "diff_b": b,
            "transitions": [
                (to, ArticleState(to).label)
                for to in services.allowed_transitions(request.user, article)
            ],
            "may_edit": editable and article.state in services.EDITABLE_STATES,
            "may_confirm": services.may_review_articles(request.user)
            and article.state == ArticleState.PUBLISHED,
            "attachments": list(selectors.article_attachments(article, user=request.user)),
            "may_attach": editable and article.state in services.EDITABLE_STATES,
            "attach_accept": attachment_files.ACCEPT,
            "attach_types": ", ".join(attachment_files.EXTENSIONS),
            "file_limit": attachment_files.size_limit("file"),
            "video_limit": attachment_files.size_limit("video"),
            "count_limit": attachment_files.count_limit(),
        },
    )


@login_required
def article_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article_or_404(request, article_id)
    if not services.may_edit_article(request.user, article):
        raise PermissionDenied
    initial = {
        "title": article.title,
        "body": article.body,
        "type": article.type,
        "category": str(article.category_id or ""),
        "tags": ", ".join(article.tags),
        "is_public": article.is_public,
        "version": article.version,
    }
    form = ArticleForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.article_update(
                actor=request.user,
                article=article,
                changes=form.changes(),
                version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            )
        except KefuError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("Article saved."))
            return redirect("knowledge-article", article_id=article.pk)
    return render(
        request,
        "knowledge/article_form.html",
        {"form": form, "article": article},
        status=422 if form.is_bound and form.errors else 200,
    )


@require_POST
@login_required
def article_transition(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article_or_404(request, article_id)
    try:
        services.article_transition(
            actor=request.user,
            article=article,
            to=request.POST.get("to", ""),
            comment=request.POST.get("comment", ""),
        )
    except KefuError as error:
        messages.error(request, explain(error))
    else:
        messages.success(request, _("Article state changed."))
    return redirect("knowledge-article", article_id=article.pk)


@require_POST
@login_required
def article_review(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article_or_404(request, article_id)
    try:
        services.article_review_confirm(actor=request.user, article=article)
    except KefuError as error:
        messages.error(request, explain(error))
    else:
        messages.success(request, _("Review confirmed; next review in 90 days."))
    return redirect("knowledge-article", article_id=article.pk)


@require_POST
@login_required
def article_feedback(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article_or_404(request, article_id)
    try:
        services.article_feedback(
            article=article, helpful=request.POST.get("helpful") == "1", user=request.user
        )
    except KefuError as error:
        messages.error(request, explain(error))
    else:
        messages.success(request, _("Thank you for your feedback."))
    return redirect("knowledge-article", article_id=article.pk)


@require_POST
@login_required
def article_attach(request: HttpRequest, article_id: int) -> HttpResponse:
    """Upload one or more files (field ``files``); each is attached on its own, so one refused
    file does not lose the others, and every refusal is named."""
    article = _article_or_404(request, article_id)
    uploads = request.FILES.getlist("files")
    if not uploads:
        messages.error(request, _("Choose one or more files to attach."))
        return redirect("knowledge-article", article_id=article.pk)
    attached = 0
    for upload in uploads:
        try:
            services.article_attachment_add(
                actor=request.user,
                article=article,
                filename=upload.name or "",
                content=upload,
                content_type=upload.content_type or "",
            )
        except KefuError as error:
            messages.error(
                request,
                _("%(name)s was not attached: %(reason)s")
                % {"name": upload.name or "—", "reason": explain(error)},
            )
        else:
            attached += 1
    if attached:
        messages.success(request, _("Files attached: %(count)s.") % {"count": attached})
    return redirect("knowledge-article", article_id=article.pk)


@require_POST
@login_required
def article_attachment_remove(
    request: HttpRequest, article_id: int, attachment_id: int
) -> HttpResponse:
    try:
        attachment = selectors.article_attachment_get(
            user=request.user, article_id=article_id, attachment_id=attachment_id
        )
    except NotFound:
        raise Http404(_("No such attachment.")) from None
    try:
        services.article_attachment_remove(actor=request.user, attachment=attachment)
    except KefuError as error:
        messages.error(request, explain(error))
    else:
        messages.success(request, _("Attachment removed."))
    return redirect("knowledge-article", article_id=article_id)


@require_http_methods(["GET", "HEAD"])
@login_required
def article_attachment_download(
    request: HttpRequest, article_id: int, attachment_id: int
) -> HttpResponse | StreamingHttpResponse:
    """The file, shown in the browser (images, video, PDF) or downloaded (``?download=1`` and
    every other type); 404 for an attachment of an article the user may not see."""
    try:
        attachment = selectors.article_attachment_get(
            user=request.user, article_id=article_id, attachment_id=attachment_id
        )
        return attachment_response(request, attachment, download=request.GET.get("download") == "1")
    except NotFound:
        raise Http404(_("No such attachment.")) from None


urlpatterns: list[URLPattern] = [
    path("articles/", article_list, name="knowledge-articles"),
    path("articles/new/", article_new, name="knowledge-article-new"),
    path("articles/<int:article_id>/", article_page, name="knowledge-article"),
    path("articles/<int:article_id>/edit/", article_edit, name="knowledge-article-edit"),
    path(
        "articles/<int:article_id>/transition/",
        article_transition,
        name="knowledge-article-transition",
    ),
    path("articles/<int:article_id>/review/", article_review, name="knowledge-article-review"),
    path(
        "articles/<int:article_id>/feedback/", article_feedback, name="knowledge-article-feedback"
    ),
    path(
        "articles/<int:article_id>/attachments/",
        article_attach,
        name="knowledge-article-attach",
    ),
    path(
        "articles/<int:article_id>/attachments/<int:attachment_id>/",
        article_attachment_download,
        name="knowledge-article-attachment",
    ),
    path(
        "articles/<int:article_id>/attachments/<int:attachment_id>/remove/",
        article_attachment_remove,
        name="knowledge-article-attachment-remove",
    ),
]

"""Administration of customer notices: the templates with a live preview, and the outbox.

Administrators edit the text of each notice per channel; managers and complaint specialists
read it. The outbox shows what left (or did not) with the address masked, and lets an
administrator send a failed or unconfirmed message again, or confirm that it did arrive.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kefu.core.errors import Conflict, KefuError, StaleVersion
from kefu.core.masking import mask_email, mask_phone
from kefu.core.web import explain
from kefu.notify.models import (
    NoticeKind,
    NoticeTemplate,
    OutboundChannel,
    OutboundMessage,
    OutboundStatus,
)
from kefu.notify.notices import (
    BODY_LIMIT,
    SUBJECT_LIMIT,
    VARIABLES,
    template_preview,
    template_update,
)
from kefu.notify.services import outbox_confirm_sent, outbox_resend
from kefu.notify.sms import SMS_MAX_CHARS

PAGE_SIZE = 50
# 20,000 messages deep; filter by status or channel to go further back.
MAX_PAGE = 400
# The outbox query parameters a "send again" or "confirm" button returns to.
OUTBOX_QUERY_KEYS = ("status", "channel", "page")


# -- notice templates -------------------------------------------------------------------------


class NoticeTemplateForm(forms.Form):
    subject = forms.CharField(
        label=gettext_lazy("Subject"),
        max_length=SUBJECT_LIMIT,
        required=False,
    )
    body = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=BODY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, channel: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if channel == OutboundChannel.SMS:  # a text message has no subject line
            self.fields["subject"].widget = forms.HiddenInput()


def _template_or_404(template_id: int) -> NoticeTemplate:
    template = NoticeTemplate.objects.select_related("updated_by").filter(pk=template_id).first()
    if template is None:
        raise Http404(_("No such notice template."))
    return template


def _preview(template: NoticeTemplate, subject: str, body: str) -> dict[str, Any]:
    """The text with sample values, or why it cannot be rendered."""
    try:
        text = template_preview(channel=template.channel, subject=subject, body=body)
    except KefuError as error:
        return {"error": explain(error)}
    result: dict[str, Any] = {"subject": text["subject"], "body": text["body"]}
    if template.channel == OutboundChannel.SMS:
        result["length"], result["limit"] = len(text["body"]), SMS_MAX_CHARS
    return result


def _render_edit(
    request: HttpRequest,
    template: NoticeTemplate,
    form: NoticeTemplateForm,
    *,
    preview: dict[str, Any],
    conflict: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "notify/notice_template_form.html",
        {
            "template": template,
            "form": form,
            "preview": preview,
            "conflict": conflict,
            "variables": [
                ("{" + name + "}", description) for name, description in VARIABLES.items()
            ],
            "may_change": request.user.has_perm("notify.change_noticetemplate"),
        },
        status=status,
    )


@login_required
@permission_required("notify.view_noticetemplate", raise_exception=True)
def notice_template_list(request: HttpRequest) -> HttpResponse:
    # In the order the notices are sent along a case, e-mail and SMS side by side.
    order = {kind: index for index, kind in enumerate(NoticeKind.values)}
    templates = sorted(
        NoticeTemplate.objects.select_related("updated_by"),
        key=lambda template: (order.get(template.kind, len(order)), template.channel),
    )
    return render(
        request,
        "notify/notice_templates.html",
        {
            "templates": templates,
            "may_change": request.user.has_perm("notify.change_noticetemplate"),
        },
    )


@login_required
@permission_required("notify.view_noticetemplate", raise_exception=True)
def notice_template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    template = _template_or_404(template_id)
    if request.method != "POST":
        form = NoticeTemplateForm(
            channel=template.channel,
            initial={
                "subject": template.subject,
                "body": template.body,
                "version": template.version,
            },
        )
        return _render_edit(
            request, template, form, preview=_preview(template, template.subject, template.body)
        )
    if not request.user.has_perm("notify.change_noticetemplate"):
        raise PermissionDenied
    form = NoticeTemplateForm(request.POST, channel=template.channel)
    typed = _preview(template, request.POST.get("subject", ""), request.POST.get("body", ""))
    if not form.is_valid():
        return _render_edit(request, template, form, preview=typed, status=422)
    data = form.cleaned_data
    try:
        saved = template_update(
            actor=request.user,
            template=template,
            subject=data["subject"],
            body=data["body"],
            version=data["version"],
        )
    except StaleVersion as error:
        # Nothing was written: keep what was typed, beside the text saved in the meantime, and
        # take the newer version so that saving again deliberately replaces it.
        fresh = _template_or_404(template_id)
        kept = NoticeTemplateForm(
            channel=fresh.channel,
            initial={"subject": data["subject"], "body": data["body"], "version": fresh.version},
        )
        return _render_edit(
            request,
            fresh,
            kept,
            preview=typed,
            conflict={"message": explain(error), "saved": fresh},
            status=409,
        )
    except KefuError as error:
        field = getattr(error, "field", None)
        form.add_error(field if field in ("subject", "body") else None, explain(error))
        return _render_edit(request, template, form, preview=typed, status=422)
    messages.success(
        request,
        _("Notice template “%(kind)s · %(channel)s” saved (version %(version)s).")
        % {
            "kind": saved.get_kind_display(),
            "channel": saved.get_channel_display(),
            "version": saved.version,
        },
    )
    return redirect("notice-templates")


@login_required
@permission_required("notify.view_noticetemplate", raise_exception=True)
@require_POST
def notice_template_preview(request: HttpRequest, template_id: int) -> HttpResponse:
    """The typed text rendered with sample values: a fragment for HTMX, else the whole page."""
    template = _template_or_404(template_id)
    subject, body = request.POST.get("subject", ""), request.POST.get("body", "")
    preview = _preview(template, subject, body)
    status = 422 if "error" in preview else 200
    if bool(getattr(request, "htmx", False)):
        return render(
            request,
            "notify/_notice_preview.html",
            {"preview": preview, "template": template},
            status=status,
        )
    form = NoticeTemplateForm(request.POST, channel=template.channel)
    form.is_valid()  # shows the typed text and any field errors
    return _render_edit(request, template, form, preview=preview, status=status)


# -- the outbox -------------------------------------------------------------------------------


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("Any status")), *OutboundStatus.choices],
        required=False,
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        choices=[("", gettext_lazy("Any channel")), *OutboundChannel.choices],
        required=False,
    )


def masked_address(message: OutboundMessage) -> str:
    """The address as the outbox shows it: never in clear."""
    address = message.to_address or ""
    if message.channel == OutboundChannel.SMS:
        return mask_phone(address)
    return mask_email(address)


def _outbox_row(message: OutboundMessage, *, may_change: bool) -> dict[str, Any]:
    address = masked_address(message)
    error = message.last_error
    if message.to_address and message.to_address in error:
        # A channel's error may quote the address it refused; the screen shows it masked.
        error = error.replace(message.to_address, address)
    return {
        "message": message,
        "address": address,
        "last_error": error,
        "may_resend": may_change
        and message.status in (OutboundStatus.FAILED, OutboundStatus.UNCONFIRMED),
        "may_confirm": may_change and message.status == OutboundStatus.UNCONFIRMED,
    }


def _page(request: HttpRequest) -> int:
    try:
        return min(max(1, int(request.GET.get("page", "1"))), MAX_PAGE)
    except (ValueError, OverflowError):
        return 1


@login_required
@permission_required("notify.view_outboundmessage", raise_exception=True)
def outbox_list(request: HttpRequest) -> HttpResponse:
    form = OutboxFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    outbox = OutboundMessage.objects.order_by("-created_at", "-id")
    if data.get("status"):
        outbox = outbox.filter(status=data["status"])
    if data.get("channel"):
        outbox = outbox.filter(channel=data["channel"])
    page = _page(request)
    start = (page - 1) * PAGE_SIZE
    found = list(outbox[start : start + PAGE_SIZE + 1])
    may_change = request.user.has_perm("notify.change_outboundmessage")
    rows = [_outbox_row(message, may_change=may_change) for message in found[:PAGE_SIZE]]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "notify/outbox.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "has_next": len(found) > PAGE_SIZE,
            "query": query.urlencode(),
            "back": _outbox_query(request.GET),
            "may_change": may_change,
        },
    )


def _outbox_query(values: QueryDict) -> str:
    kept = QueryDict(mutable=True)
    for key in OUTBOX_QUERY_KEYS:
        value = values.get(key, "")
        if value and len(value) <= 32:
            kept[key] = value
    return kept.urlencode()


def _back_to_outbox(request: HttpRequest) -> HttpResponse:
    query = _outbox_query(QueryDict(request.POST.get("back", "")[:200]))
    return redirect(reverse("outbox") + (f"?{query}" if query else ""))


def _message_or_404(message_id: int) -> OutboundMessage:
    message = OutboundMessage.objects.filter(pk=message_id).first()
    if message is None:
        raise Http404(_("No such message."))
    return message


@login_required
@permission_required("notify.change_outboundmessage", raise_exception=True)
@require_POST
def outbox_resend_post(request: HttpRequest, message_id: int) -> HttpResponse:
    message = _message_or_404(message_id)
    try:
        outbox_resend(actor=request.user, message=message)
    except Conflict:
        messages.error(
            request,
            _("Message %(id)s was not sent again: only a failed or unconfirmed message can be.")
            % {"id": message.pk},
        )
    except KefuError as error:
        messages.error(request, explain(error))
    else:
        messages.success(
            request, _("Message %(id)s is queued to be sent again.") % {"id": message.pk}
        )
    return _back_to_outbox(request)


@login_required
@permission_required("notify.change_outboundmessage", raise_exception=True)
@require_POST
def outbox_confirm_post(request: HttpRequest, message_id: int) -> HttpResponse:
    message = _message_or_404(message_id)
    try:
        outbox_confirm_sent(actor=request.user, message=message)
    except Conflict:
        messages.error(
            request,
            _("Message %(id)s was not confirmed: only a message whose outcome is unknown can be.")
            % {"id": message.pk},
        )
    except KefuError as error:
        messages.error(request, explain(error))
    else:
        messages.success(request, _("Message %(id)s is recorded as sent.") % {"id": message.pk})
    return _back_to_outbox(request)

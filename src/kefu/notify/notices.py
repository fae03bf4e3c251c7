"""Customer notices (HND-5…7, CMP-2, CMP-4): templates with variables, preview, send, delivery.

A notice is rendered from the template of its kind and channel, queued in the outbox in the
caller's transaction and written on the ticket's timeline. When the outbox has handed it to the
channel, :func:`notice_delivered` records that on the timeline and stops the clock that waited
for it. Automatic notices carry a dedupe key, so a retried step never queues a second one.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.audit.services import audit_record
from kefu.complaints.lookup import ticket_complaint
from kefu.core.errors import InvalidInput, NotFound, PermissionDenied, StaleVersion
from kefu.core.masking import mask_email, mask_phone
from kefu.core.timeutils import now
from kefu.customers.identities import IdentityKind
from kefu.notify.models import (
    CustomerNotice,
    NoticeChannel,
    NoticeKind,
    NoticeTemplate,
    OutboundChannel,
)
from kefu.notify.services import outbox_enqueue
from kefu.notify.sms import SMS_MAX_CHARS

# The variables a template may use, with what each holds.
VARIABLES: dict[str, Any] = {
    "center": _("name of the service center"),
    "customer_name": _("the customer's name"),
    "ticket_number": _("the ticket number"),
    "need": _("the need as understood (complaint demands, or the ticket's need points)"),
    "solution": _("the solution: final solution of a complaint, or the ticket's solution"),
    "due": _("the time node: when the customer gets the answer"),
    "plan": _("the preliminary plan of a complaint"),
    "progress": _("what has been done so far (typed when sending)"),
    "improvement": _("the improvement measures (rectification action)"),
    "rectification_result": _("the result of the rectification"),
}
SAMPLE = {
    "center": "客服中心",
    "customer_name": "李明",
    "ticket_number": "20261128-000123",
    "need": "退还重复扣取的会员费 30 元并说明原因",
    "solution": "核实扣费记录后原路退款",
    "due": "2026年12月01日 18:00",
    "plan": "已确认系统重复扣费，将在 1 个工作日内原路退回",
    "progress": "财务部已确认退款申请",
    "improvement": "修复计费系统重复扣费问题并增加对账校验",
    "rectification_result": "计费系统已修复，已上线每日对账校验",
}
SUBJECT_LIMIT = 200
BODY_LIMIT = 10_000
CHANNEL_IDENTITY: dict[str, str] = {
    OutboundChannel.SMS: IdentityKind.PHONE,
    OutboundChannel.EMAIL: IdentityKind.EMAIL,
}


def _placeholders(text: str, field: str) -> list[str]:
    """The variable names in ``text``; malformed braces or unknown names are refused."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise InvalidInput(
            f"{field}: {exc}; write a variable as {{name}} and a literal brace as {{{{ or }}}}",
            field=field,
        ) from None
    names = []
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in VARIABLES or spec or conversion:
            known = ", ".join(sorted(VARIABLES))
            raise InvalidInput(
                f"{field}: unknown variable {{{name}}}; known variables: {known}", field=field
            )
        names.append(name)
    return names


def render(text: str, variables: Mapping[str, str], *, field: str = "body") -> str:
    _placeholders(text, field)
    return text.format_map({name: variables.get(name, "") for name in VARIABLES})


def _local(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%Y年%m月%d日 %H:%M")


def notice_variables(ticket: Any, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The values of the variables for ``ticket`` (a complaint's record when it has one)."""
    from kefu.sla.models import OPEN_STATES, Clock

    complaint = ticket_complaint(ticket)
    # The time node the customer is promised: a complaint's final solution (CMP-3), else the
    # ticket's own promise, else the next progress or solution deadline.
    open_clocks = Clock.objects.filter(ticket=ticket, state__in=OPEN_STATES)
    due_clock = (
        open_clocks.filter(milestone="complaint_final_solution").order_by("-cycle").first()
        or open_clocks.filter(milestone__in=["instant_solution", "progress_update"])
        .order_by("due_at")
        .first()
    )
    due = ticket.promised_at or (due_clock.due_at if due_clock else None)
    values = {
        "center": settings.KEFU_CENTER_NAME,
        "customer_name": ticket.customer.name if ticket.customer_id else "",
        "ticket_number": ticket.number,
        "need": (complaint.demands if complaint else "") or ticket.need_points or ticket.subject,
        "solution": (complaint.final_solution if complaint else "") or ticket.solution,
        "due": _local(due),
        "plan": complaint.plan if complaint else "",
        "progress": "",
        "improvement": complaint.rectification_action if complaint else "",
        "rectification_result": complaint.rectification_result if complaint else "",
    }
    if complaint is not None and not values["solution"]:
        values["solution"] = "我们将调查核实后给出处理方案"
    if complaint is not None and not values["improvement"]:
        # HND-7 names the improvement measures; before the rectification is set, say when.
        values["improvement"] = "我们将针对此问题落实整改，整改结果将另行告知"
    values.update({key: str(value) for key, value in (extra or {}).items() if key in VARIABLES})
    return values


def template_get(kind: str, channel: str) -> NoticeTemplate:
    if kind not in NoticeKind.values:
        raise InvalidInput(
            f"unknown notice {kind!r}; one of {', '.join(NoticeKind.values)}", field="kind"
        )
    if channel not in NoticeChannel.values:
        raise InvalidInput(
            f"unknown channel {channel!r}; one of {', '.join(NoticeChannel.values)}",
            field="channel",
        )
    template = NoticeTemplate.objects.filter(kind=kind, channel=channel).first()
    if template is None:
        raise NotFound(f"no template for the {kind} notice by {channel}; add one first")
    return template


def _check_template(channel: str, subject: str, body: str) -> tuple[str, str]:
    subject, body = (subject or "").strip(), (body or "").strip()
    if not body:
        raise InvalidInput("a template needs a text", field="body")
    if len(body) > BODY_LIMIT:
        raise InvalidInput(f"the text is longer than {BODY_LIMIT} characters", field="body")
    if len(subject) > SUBJECT_LIMIT:
        raise InvalidInput(
            f"the subject is longer than {SUBJECT_LIMIT} characters", field="subject"
        )
    if channel == OutboundChannel.EMAIL and not subject:
        raise InvalidInput("an e-mail template needs a subject", field="subject")
    _placeholders(subject, "subject")
    _placeholders(body, "body")
    if channel == OutboundChannel.SMS and len(render(body, SAMPLE)) > SMS_MAX_CHARS:
        raise InvalidInput(
            f"an SMS is at most {SMS_MAX_CHARS} characters (with sample values)", field="body"
        )
    return subject, body


@transaction.atomic
def template_update(
    *, actor: Any, template: NoticeTemplate, subject: str, body: str, version: int | None
) -> NoticeTemplate:
    """Change a notice template (administrators); stale edits are refused."""
    if not actor.has_perm("notify.change_noticetemplate"):
        raise PermissionDenied("only administrators edit notice templates")
    subject, body = _check_template(template.channel, subject, body)
    current = NoticeTemplate.objects.select_for_update().get(pk=template.pk)
    if version is not None and version != current.version:
        raise StaleVersion(
            f"the template was changed by someone else (your version {version}, current "
            f"{current.version}); reload and try again",
            field="version",
        )
    before = {"subject": current.subject, "body": current.body, "version": current.version}
    if current.subject == subject and current.body == body:
        return current
    current.subject, current.body = subject, body
    current.version += 1
    current.updated_at = now()
    current.updated_by = actor
    current.save()
    audit_record(
        actor=actor,
        verb="notice_template.update",
        target=current,
        before=before,
        after={"subject": subject, "body": body, "version": current.version},
    )
    return current


def template_preview(
    *, channel: str, subject: str, body: str, ticket: Any = None
) -> dict[str, str]:
    """The text as the customer would read it, with a real ticket's values or sample values."""
    subject, body = _check_template(channel, subject, body)
    values = notice_variables(ticket) if ticket is not None else SAMPLE
    return {"subject": render(subject, values, field="subject"), "body": render(body, values)}


# The free-text variables an SMS may shorten to fit (the e-mail carries them whole).
SHORTENED = ("need", "solution", "plan", "progress", "improvement", "rectification_result")


def _fit_sms(template: str, values: Mapping[str, str]) -> str:
    """The template rendered within the SMS limit: long free texts are cut, marked with …"""
    text = render(template, values)
    for keep in (200, 100, 50, 20):
        if len(text.strip()) <= SMS_MAX_CHARS:
            break
        short = {
            key: (value[:keep] + "…" if key in SHORTENED and len(value) > keep else value)
            for key, value in values.items()
        }
        text = render(template, short)
    return text


def notice_address(ticket: Any, channel: str | None = None) -> tuple[str, str] | None:
    """The channel and address to reach the ticket's customer: the asked channel, else the
    customer's preferred one, else SMS, else e-mail. None when there is no address."""
    customer = ticket.customer if ticket.customer_id else None
    if customer is None:
        return None
    identities: dict[str, str] = {}
    for identity in customer.identities.order_by("-is_primary", "id"):
        identities.setdefault(identity.kind, identity.value)
    order: list[str]
    if channel is not None:
        order = [channel]
    else:
        order = [str(OutboundChannel.SMS), str(OutboundChannel.EMAIL)]
        if customer.preferred_channel == OutboundChannel.EMAIL:
            order.reverse()
    for option in order:
        value = identities.get(CHANNEL_IDENTITY.get(option, ""))
        if value:
            return option, value
    return None


def _masked(channel: str, address: str) -> str:
    return mask_phone(address) if channel == OutboundChannel.SMS else mask_email(address)


def notice_send(
    *,
    actor: Any,
    ticket: Any,
    kind: str,
    channel: str | None = None,
    body: str | None = None,
    subject: str | None = None,
    extra: Mapping[str, str] | None = None,
    dedupe_key: str | None = None,
) -> CustomerNotice | None:
    """Queue a notice to the ticket's customer; call inside the transaction that decided it.

    ``body``/``subject`` replace the template's text (already edited by the sender); without
    them the template is rendered. Returns None when ``dedupe_key`` was used before.
    """
    if kind not in NoticeKind.values:
        raise InvalidInput(
            f"unknown notice {kind!r}; one of {', '.join(NoticeKind.values)}", field="kind"
        )
    if channel is not None and channel not in NoticeChannel.values:
        raise InvalidInput(
            f"unknown channel {channel!r}; one of {', '.join(NoticeChannel.values)}",
            field="channel",
        )
    found = notice_address(ticket, channel)
    if found is None:
        where = f"a {channel} address" if channel else "a phone number or e-mail address"
        raise InvalidInput(f"the customer has no {where} to send the notice to", field="channel")
    channel, address = found
    values = notice_variables(ticket, extra)
    template = template_get(kind, channel)
    text_subject = render(
        subject if subject is not None else template.subject, values, field="subject"
    )
    if body is None and channel == OutboundChannel.SMS:
        text_body = _fit_sms(template.body, values)
    else:
        text_body = render(body if body is not None else template.body, values)
    text_subject, text_body = text_subject.strip()[:SUBJECT_LIMIT], text_body.strip()
    if not text_body:
        raise InvalidInput("the notice is empty", field="body")
    if len(text_body) > (SMS_MAX_CHARS if channel == OutboundChannel.SMS else BODY_LIMIT):
        limit = SMS_MAX_CHARS if channel == OutboundChannel.SMS else BODY_LIMIT
        raise InvalidInput(f"the notice is longer than {limit} characters", field="body")
    if channel == OutboundChannel.EMAIL and not text_subject:
        raise InvalidInput("an e-mail notice needs a subject", field="subject")
    moment = now()
    message = outbox_enqueue(
        channel=channel,
        to_address=address,
        subject=text_subject or template.get_kind_display(),
        body=text_body,
        dedupe_key=dedupe_key,
    )
    if message is None:
        return None
    notice = CustomerNotice.objects.create(
        ticket=ticket,
        kind=kind,
        channel=channel,
        message=message,
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=moment,
    )
    from kefu.tickets.services import ticket_notice_record

    ticket_notice_record(
        actor=actor,
        ticket=ticket,
        notice=kind,
        channel=channel,
        moment=moment,
        delivered=False,
        body=text_body,
        data={"to": _masked(channel, address), "notice_id": notice.pk, "subject": text_subject},
    )
    audit_record(
        actor=actor,
        verb="notice.queue",
        target=ticket,
        after={"notice": notice.pk, "kind": kind, "channel": channel, "message": message.pk},
    )
    return notice


def notice_delivered(*, message_id: int, moment: dt.datetime) -> CustomerNotice | None:
    """The outbox handed the message to its channel: timeline entry and the clock stops."""
    notice = CustomerNotice.objects.select_related("ticket").filter(message_id=message_id).first()
    if notice is None or notice.sent_at is not None:
        return None
    notice.sent_at = moment
    notice.save(update_fields=["sent_at"])
    from kefu.tickets.services import ticket_notice_record

    ticket_notice_record(
        actor=None,
        ticket=notice.ticket,
        notice=notice.kind,
        channel=notice.channel,
        moment=moment,
        delivered=True,
        data={"notice_id": notice.pk},
    )
    audit_record(
        actor=None,
        verb="notice.delivered",
        target=notice.ticket,
        after={"notice": notice.pk, "kind": notice.kind, "channel": notice.channel},
    )
    return notice

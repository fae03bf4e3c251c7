"""Writes of sampling (QA-2): sampling plans, their runs over a period, and the balanced
assignment of the inspections they create to QA specialists.

A run takes, from the contacts that ended in the plan's period (of the plan's channels):

* complaints — every contact linked to a complaint ticket, and every complaint ticket of the
  period without contacts (``qa_complaint_coverage`` % of them, 100 by default);
* fatal — every contact whose automatic check found a category that is a fatal item (红线)
  of the plan's scorecard;
* sample — ``ordinary_percent`` % of the remaining contacts that have an agent, stratified by
  agent with at least ``agent_minimum`` each (:func:`kefu.quality.sampling.sample_stratified`).

A plan has one run per period; running it again adds only what is new (a contact that ended
late, a complaint registered since) — the sample is drawn with a seed of the plan and period,
and what was chosen before counts towards each agent's share. Contacts and tickets that already
have an inspection (from any plan, or chosen by a person) are never inspected twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_has_role
from kefu.audit.services import audit_record, audit_records_bulk, changed_fields, model_snapshot
from kefu.channels.models import Contact, ContactKind, ContactState
from kefu.complaints.models import Complaint
from kefu.core.errors import Conflict, InvalidInput, PermissionDenied
from kefu.core.timeutils import now as current_time
from kefu.quality.models import (
    Inspection,
    InspectionReason,
    InspectionState,
    SamplingPeriod,
    SamplingPlan,
    SamplingRun,
    Scorecard,
)
from kefu.quality.sampling import last_complete_period, period_bounds, sample_stratified
from kefu.standard.selectors import standard_value
from kefu.tickets.models import Ticket

PLAN_FIELDS = (
    "name",
    "is_active",
    "ordinary_percent",
    "agent_minimum",
    "period",
    "include_complaints",
    "include_fatal",
    "channels",
    "scorecard",
)
AGENT_MINIMUM_MAX = 1000
logger = logging.getLogger(__name__)
OPEN_STATES = (InspectionState.PENDING, InspectionState.IN_REVIEW)


# --- Permissions ---------------------------------------------------------------------------


def sampling_may_manage(user: Any) -> bool:
    """QA specialists with the assign permission, managers and administrators (QA-2)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user_has_role(user, Role.ADMIN) or user.has_perm("quality.assign_inspection")


def _require_manage(actor: Any) -> None:
    # None is the system itself (the periodic task, the demo seeding).
    if actor is not None and not sampling_may_manage(actor):
        raise PermissionDenied(_("Only QA specialists, managers and administrators may do this."))


# --- Plans ---------------------------------------------------------------------------------


def coverage_band() -> tuple[Decimal, Decimal]:
    """The standard's band for the share of ordinary contacts inspected (QA-2)."""
    low = Decimal(str(standard_value("qa_ordinary_coverage_min")))
    high = Decimal(str(standard_value("qa_ordinary_coverage_max")))
    return low, high


def _bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    raise InvalidInput(_("Must be true or false."), field=field)


def _clean_plan_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        field = sorted(unknown)[0]
        raise InvalidInput(_("Unknown field."), field=field)
    clean: dict[str, Any] = {}
    if "name" in fields:
        name = str(fields["name"] or "").strip()
        if not name or len(name) > 100:
            raise InvalidInput(_("A name of 1 to 100 characters is needed."), field="name")
        clean["name"] = name
    if "ordinary_percent" in fields:
        raw = fields["ordinary_percent"]
        try:
            if isinstance(raw, bool):
                raise InvalidOperation
            percent = Decimal(str(raw).strip())
        except (InvalidOperation, ValueError):
            raise InvalidInput(_("Must be a number."), field="ordinary_percent") from None
        low, high = coverage_band()
        if not percent.is_finite() or not low <= percent <= high:
            raise InvalidInput(
                _("Must lie within the standard's band of %(low)s–%(high)s %% (QA-2).")
                % {"low": f"{low:g}", "high": f"{high:g}"},
                field="ordinary_percent",
            )
        clean["ordinary_percent"] = percent.quantize(Decimal("0.01"))
    if "agent_minimum" in fields:
        value = fields["agent_minimum"]
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(_("Must be a whole number."), field="agent_minimum")
        if not 0 <= value <= AGENT_MINIMUM_MAX:
            raise InvalidInput(
                _("Must be from 0 to %(max)s.") % {"max": AGENT_MINIMUM_MAX},
                field="agent_minimum",
            )
        clean["agent_minimum"] = value
    if "period" in fields:
        if fields["period"] not in SamplingPeriod.values:
            raise InvalidInput(_("Must be day, week or month."), field="period")
        clean["period"] = fields["period"]
    for flag in ("is_active", "include_complaints", "include_fatal"):
        if flag in fields:
            clean[flag] = _bool(fields[flag], flag)
    if "channels" in fields:
        channels = fields["channels"] or []
        if isinstance(channels, str) or not isinstance(channels, list | tuple):
            raise InvalidInput(_("Must be a list of contact kinds."), field="channels")
        unknown_kinds = [kind for kind in channels if kind not in ContactKind.values]
        if unknown_kinds:
            raise InvalidInput(
                _("Unknown contact kind: %(kind)s.") % {"kind": unknown_kinds[0]},
                field="channels",
            )
        clean["channels"] = [kind for kind in ContactKind.values if kind in channels]
    if "scorecard" in fields:
        card = fields["scorecard"]
        if not isinstance(card, Scorecard):
            try:
                card = Scorecard.objects.get(pk=int(card))
            except (TypeError, ValueError, Scorecard.DoesNotExist):
                raise InvalidInput(_("No such scorecard."), field="scorecard") from None
        clean["scorecard"] = card
    return clean


@transaction.atomic
def sampling_plan_save(
    *, actor: Any, plan: SamplingPlan | None = None, **fields: Any
) -> SamplingPlan:
    """Create a sampling plan or change ``plan`` (QA-2).

    ``ordinary_percent`` must lie inside the standard profile's
    ``qa_ordinary_coverage_min``…``max`` band; ``agent_minimum`` 0…1000; ``channels`` contact
    kinds (empty: all). A new plan needs a name and a scorecard. Audited. A change that changes
    nothing returns the plan as it is, without a save or an audit event (as ticket and
    customer edits do).
    """
    _require_manage(actor)
    clean = _clean_plan_fields(fields)
    if plan is None:
        for required in ("name", "scorecard"):
            if required not in clean:
                raise InvalidInput(_("This field is required."), field=required)
        plan = SamplingPlan(**clean)
        if "ordinary_percent" not in clean:
            low, high = coverage_band()
            if not low <= plan.ordinary_percent <= high:
                raise InvalidInput(
                    _("Must lie within the standard's band of %(low)s–%(high)s %% (QA-2).")
                    % {"low": f"{low:g}", "high": f"{high:g}"},
                    field="ordinary_percent",
                )
        before: dict[str, Any] = {}
        verb = "sampling_plan.create"
    else:
        plan = SamplingPlan.objects.select_for_update().get(pk=plan.pk)
        before = model_snapshot(plan, PLAN_FIELDS)
        for name, value in clean.items():
            setattr(plan, name, value)
        if not changed_fields(before, model_snapshot(plan, PLAN_FIELDS))[1]:
            return plan  # nothing changed: no save, no audit event
        verb = "sampling_plan.update"
    if SamplingPlan.objects.filter(name=plan.name).exclude(pk=plan.pk).exists():
        raise InvalidInput(_("A plan of this name exists."), field="name")
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise InvalidInput(_("A plan of this name exists."), field="name") from None
    after = model_snapshot(plan, PLAN_FIELDS)
    if before:
        before, after = changed_fields(before, after)
    audit_record(actor=actor, verb=verb, target=plan, before=before or None, after=after)
    return plan


# --- Runs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """One candidate of a run: a contact, or a complaint ticket without contacts."""

    id: int  # contact id; ticket id negated for a ticket, so the two never collide
    agent: int | None
    team: int | None
    contact: int | None
    ticket: int | None


def sampling_period(
    plan: SamplingPlan, *, period_start: dt.date | dt.datetime | None, moment: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` of the period a run covers: the plan's period containing
    ``period_start`` (a local date or an aware moment), or the last complete one."""
    zone = timezone.get_default_timezone()
    if period_start is None:
        return last_complete_period(plan.period, moment, zone)
    start, end = period_bounds(plan.period, period_start, zone)
    if start > moment:
        raise InvalidInput(_("The period has not begun yet."), field="period_start")
    return start, end


def _contact_items(queryset: Any) -> dict[int, _Item]:
    rows = queryset.values_list("id", "agent_id", "team_id")
    return {
        pk: _Item(id=pk, agent=agent, team=team, contact=pk, ticket=None)
        for pk, agent, team in rows
    }


def _fatal_contact_ids(contacts: Any, categories: set[str]) -> set[int]:
    if not categories:
        return set()
    fatal = set()
    rows = contacts.filter(auto_check__isnull=False).values_list("id", "auto_check__findings")
    for pk, findings in rows.iterator():
        if any(
            isinstance(finding, dict) and finding.get("category") in categories
            for finding in findings or []
        ):
            fatal.add(pk)
    return fatal


def _run_rng(plan: SamplingPlan, start: dt.datetime, reason: str) -> random.Random:
    # A seed of the plan and the period: a second run redraws the same sample.
    return random.Random(f"kefu-sampling:{plan.pk}:{start.isoformat()}:{reason}")


def _run_stats(run: SamplingRun, *, considered: Counter[str], eligible: Counter[Any]) -> dict:
    User = get_user_model()
    rows = list(
        Inspection.objects.filter(sampling_run=run).values_list(
            "reason", "agent_id", "inspector_id"
        )
    )
    by_reason = Counter(reason for reason, _agent, _inspector in rows)
    by_agent = Counter(agent for _reason, agent, _inspector in rows)
    sampled_by_agent = Counter(
        agent for reason, agent, _inspector in rows if reason == InspectionReason.SAMPLE
    )
    agent_ids = {agent for agent in (*by_agent, *eligible) if agent is not None}
    names = {user.pk: str(user) for user in User.objects.filter(pk__in=agent_ids)}
    agents = []
    for agent in sorted(agent_ids, key=lambda pk: (names.get(pk, ""), pk)):
        agents.append(
            {
                "agent": agent,
                "name": names.get(agent, ""),
                "considered": eligible.get(agent, 0),
                "sampled": sampled_by_agent.get(agent, 0),
                "selected": by_agent.get(agent, 0),
            }
        )
    ordinary = considered["ordinary"]
    sampled = by_reason.get(InspectionReason.SAMPLE, 0)
    return {
        "reasons": {reason: by_reason.get(reason, 0) for reason in InspectionReason.values},
        "agents": agents,
        "considered": dict(considered),
        "ordinary_percent": str(run.plan.ordinary_percent),
        "sampled_percent": round(100 * sampled / ordinary, 1) if ordinary else 0.0,
        "unassigned": sum(1 for _r, _a, inspector in rows if inspector is None),
    }


@transaction.atomic
def sampling_run(
    *,
    actor: Any,
    plan: SamplingPlan,
    period_start: dt.date | dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> SamplingRun:
    """Run ``plan`` over one period and create the inspections it selects (QA-2).

    The period is the plan's day, week or month (Asia/Shanghai) containing ``period_start``,
    by default the last complete one. Idempotent: a second run of the same plan and period
    updates the same :class:`SamplingRun` and adds only what is new. The new inspections are
    pending, assigned at once by :func:`inspections_assign_balanced`. Audited.
    """
    _require_manage(actor)
    moment = now or current_time()
    plan = SamplingPlan.objects.select_for_update().select_related("scorecard").get(pk=plan.pk)
    if not plan.is_active:
        raise Conflict(_("The sampling plan is not active."))
    start, end = sampling_period(plan, period_start=period_start, moment=moment)

    contacts = Contact.objects.filter(
        state=ContactState.ENDED, ended_at__gte=start, ended_at__lt=end
    )
    if plan.channels:
        contacts = contacts.filter(kind__in=plan.channels)
    items = _contact_items(contacts)
    inspected_contacts = set(
        Inspection.objects.filter(contact_id__in=list(items)).values_list("contact_id", flat=True)
    )
    considered: Counter[str] = Counter(contacts=len(items))

    complaint_items: dict[int, _Item] = {}
    if plan.include_complaints:
        received = Q(received_at__gte=start, received_at__lt=end)
        complaint_tickets = Complaint.objects.filter(received).values_list("ticket_id", flat=True)
        # Contacts of the period on a complaint ticket, and contacts (ended any time) of a
        # complaint registered in the period: a complaint often comes after the contact.
        late = Contact.objects.filter(
            state=ContactState.ENDED, tickets__in=complaint_tickets
        ).exclude(pk__in=list(items))
        if plan.channels:
            late = late.filter(kind__in=plan.channels)
        late_items = _contact_items(late.distinct())
        inspected_contacts |= set(
            Inspection.objects.filter(contact_id__in=list(late_items)).values_list(
                "contact_id", flat=True
            )
        )
        on_complaint = set(
            contacts.filter(tickets__complaint__isnull=False).values_list("id", flat=True)
        )
        complaint_items = {pk: items[pk] for pk in on_complaint} | late_items
        without_contacts: list[tuple[int, int | None, int | None]] = list(
            Ticket.objects.filter(pk__in=complaint_tickets, contacts__isnull=True)
            .values_list("id", "assignee_id", "team_id")
            .distinct()
        )
        inspected_tickets = set(
            Inspection.objects.filter(
                contact__isnull=True, ticket_id__in=[row[0] for row in without_contacts]
            ).values_list("ticket_id", flat=True)
        )
        for pk, agent, team in without_contacts:
            complaint_items[-pk] = _Item(id=-pk, agent=agent, team=team, contact=None, ticket=pk)
            if pk in inspected_tickets:
                inspected_contacts.add(-pk)
        considered["complaints"] = len(complaint_items)
        considered["complaint_tickets_without_contacts"] = sum(
            1 for item in complaint_items.values() if item.ticket is not None
        )

    fatal_ids: set[int] = set()
    if plan.include_fatal:
        categories = set(
            plan.scorecard.items.filter(fatal=True, kind="auto")
            .exclude(rule_category="")
            .values_list("rule_category", flat=True)
        )
        fatal_ids = _fatal_contact_ids(contacts, categories) - set(complaint_items)
        considered["fatal"] = len(fatal_ids)

    ordinary = [
        item
        for pk, item in items.items()
        if pk not in complaint_items and pk not in fatal_ids and item.agent is not None
    ]
    considered["ordinary"] = len(ordinary)
    eligible = Counter(item.agent for item in ordinary)

    chosen: list[tuple[_Item, str]] = []
    complaint_share = Decimal(str(standard_value("qa_complaint_coverage")))
    if complaint_items:
        picked = sample_stratified(
            list(complaint_items.values()),
            percent=min(max(complaint_share, Decimal(0)), Decimal(100)),
            agent_minimum=0,
            rng=_run_rng(plan, start, "complaint"),
            already=inspected_contacts,
        )
        chosen += [(item, InspectionReason.COMPLAINT) for item in picked]
    chosen += [(items[pk], InspectionReason.FATAL) for pk in sorted(fatal_ids - inspected_contacts)]
    picked = sample_stratified(
        ordinary,
        percent=plan.ordinary_percent,
        agent_minimum=plan.agent_minimum,
        rng=_run_rng(plan, start, "sample"),
        already=inspected_contacts,
    )
    chosen += [(item, InspectionReason.SAMPLE) for item in picked]

    run = SamplingRun.objects.filter(plan=plan, period_start=start).first()
    first = run is None
    runs_before = 0 if run is None else int((run.stats or {}).get("runs", 1))
    if run is None:
        run = SamplingRun.objects.create(
            plan=plan, period_start=start, period_end=end, ran_at=moment
        )
    findings = dict(
        Contact.objects.filter(
            pk__in=[item.contact for item, _reason in chosen if item.contact],
            auto_check__isnull=False,
        ).values_list("id", "auto_check__findings")
    )
    existing = set(run.inspections.values_list("id", flat=True))
    Inspection.objects.bulk_create(
        Inspection(
            contact_id=item.contact,
            ticket_id=item.ticket,
            agent_id=item.agent,
            team_id=item.team,
            scorecard=plan.scorecard,
            reason=reason,
            sampling_run=run,
            state=InspectionState.PENDING,
            findings=findings.get(item.contact, []) if item.contact else [],
            created_at=moment,
            updated_at=moment,
        )
        for item, reason in chosen
    )
    created = list(run.inspections.exclude(pk__in=existing).order_by("id"))
    audit_records_bulk(
        [
            {
                "actor": actor,
                "verb": "inspection.create",
                "target": inspection,
                "after": {
                    "reason": inspection.reason,
                    "contact": inspection.contact_id,
                    "ticket": inspection.ticket_id,
                    "agent": inspection.agent_id,
                    "sampling_run": run.pk,
                    "state": inspection.state,
                },
            }
            for inspection in created
        ]
    )
    inspections_assign_balanced(actor=actor, inspections=created)
    run.period_end = end
    run.ran_at = moment
    run.considered = considered["contacts"] + considered.get(
        "complaint_tickets_without_contacts", 0
    )
    run.selected = Inspection.objects.filter(sampling_run=run).count()
    run.stats = _run_stats(run, considered=considered, eligible=eligible)
    run.stats["added"] = len(created)
    run.stats["runs"] = runs_before + 1
    run.save()
    audit_record(
        actor=actor,
        verb="sampling.run",
        target=run,
        after={
            "plan": plan.pk,
            "period_start": start,
            "period_end": end,
            "considered": run.considered,
            "selected": run.selected,
            "added": len(created),
            "first": first,
        },
    )
    return run


# --- Assignment ----------------------------------------------------------------------------


def qa_specialists() -> Any:
    """Active members of the QA specialist role, who inspect."""
    return (
        get_user_model().objects.filter(groups__name=Role.QA_SPECIALIST, is_active=True).distinct()
    )


def inspector_workload(inspectors: Iterable[Any] | None = None) -> list[dict[str, Any]]:
    """Per inspector: open (pending + in review) and total inspections assigned."""
    people = list(inspectors) if inspectors is not None else list(qa_specialists().order_by("id"))
    counts: dict[int, dict[str, int]] = {
        row["inspector"]: {"open": row["open"], "total": row["total"]}
        for row in Inspection.objects.filter(inspector__in=[p.pk for p in people])
        .values("inspector")
        .annotate(total=Count("id"), open=Count("id", filter=Q(state__in=OPEN_STATES)))
    }
    return [
        {
            "inspector": person,
            "open": counts.get(person.pk, {}).get("open", 0),
            "total": counts.get(person.pk, {}).get("total", 0),
        }
        for person in people
    ]


@transaction.atomic
def inspections_assign_balanced(
    *,
    actor: Any,
    inspections: Iterable[Inspection],
    inspectors: Sequence[Any] | None = None,
) -> list[Inspection]:
    """Assign the unassigned pending ones of ``inspections`` to QA specialists (QA-2).

    Balanced by workload: each goes to the inspector with the fewest open inspections
    (pending + in review), counting what they hold already; ties go to the fewest in total,
    then the lowest id. An agent never inspects their own contact. ``inspectors`` defaults to
    the active QA specialists. Returns the inspections assigned now. Audited.
    """
    _require_manage(actor)
    ids = [inspection.pk for inspection in inspections if inspection.pk]
    if not ids:
        return []
    people = (
        [person for person in inspectors if person.is_active]
        if inspectors is not None
        else list(qa_specialists())
    )
    if not people:
        return []
    load = {row["inspector"].pk: [row["open"], row["total"]] for row in inspector_workload(people)}
    person_ids = sorted(load)
    todo = list(
        Inspection.objects.select_for_update()
        .filter(pk__in=ids, inspector__isnull=True, state=InspectionState.PENDING)
        .order_by("id")
    )
    moment = current_time()
    assigned = []
    for inspection in todo:
        candidates = [pk for pk in person_ids if pk != inspection.agent_id]
        if not candidates:
            continue
        chosen = min(candidates, key=lambda pk: (load[pk][0], load[pk][1], pk))
        load[chosen][0] += 1
        load[chosen][1] += 1
        inspection.inspector_id = chosen
        inspection.updated_at = moment
        assigned.append(inspection)
    Inspection.objects.bulk_update(assigned, ["inspector", "updated_at"])
    audit_records_bulk(
        [
            {
                "actor": actor,
                "verb": "inspection.assign",
                "target": inspection,
                "before": {"inspector": None},
                "after": {"inspector": inspection.inspector_id},
            }
            for inspection in assigned
        ]
    )
    return assigned


def sampling_run_due(*, now: dt.datetime | None = None) -> list[SamplingRun]:
    """Run every active plan for its last complete period if it has not run for it since the
    period ended (the daily task). A plan that fails is skipped and logged; the others still run."""
    moment = now or current_time()
    zone = timezone.get_default_timezone()
    runs = []
    for plan in SamplingPlan.objects.filter(is_active=True).order_by("id"):
        start, end = last_complete_period(plan.period, moment, zone)
        # A run made before the period was over ("run now", the demo) does not count: the
        # period runs again once complete, adding what came after.
        if SamplingRun.objects.filter(plan=plan, period_start=start, ran_at__gte=end).exists():
            continue
        try:
            runs.append(sampling_run(actor=None, plan=plan, now=moment))
        except Exception:
            logger.exception("sampling plan %s could not run", plan.pk)
    return runs

"""Seeding a demo center and synthetic volume.

``seed_demo_center`` creates the people of a realistic Chinese contact center through the
services (so the trail shows who was created), 500 customers and ~5,000 tickets with full
timelines over the past 60 days. ``seed_volume`` adds synthetic tickets and customers for
benchmarks, fast: rows are bulk-inserted and one audit event records the seeding run itself.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from kefu.accounts.models import Department, SkillLevel, Team, User
from kefu.accounts.roles import Role
from kefu.accounts.services import department_create, team_create, team_set_lead, user_create
from kefu.audit.services import audit_record
from kefu.core.errors import Conflict
from kefu.core.timeutils import local_date, now
from kefu.customers.identities import IdentityKind
from kefu.customers.models import Customer, CustomerIdentity
from kefu.customers.services import customer_create, identity_lookup_hash
from kefu.demo import content
from kefu.demo.bulk import BulkInserter, next_id, reset_sequences
from kefu.demo.complaints import seed_demo_complaints
from kefu.tickets.models import (
    Category,
    CategoryRoot,
    HandlingClass,
    Priority,
    Ticket,
    TicketEvent,
    TicketEventKind,
    TicketNumberSequence,
    Urgency,
)
from kefu.tickets.numbering import format_ticket_number
from kefu.tickets.states import TicketStatus

DEMO_PASSWORD = "kefu-demo-2026"
TEAM_NAMES = ["一组（热线）", "二组（在线）", "三组（售后）"]
DEPARTMENTS = [("logistics", "物流部"), ("tech_support", "技术支持部"), ("finance", "财务部")]
# Which department a routed ticket goes to, by subcategory (ORG-2).
ROUTING = {
    "complaint.delivery": "logistics",
    "after_sales.return": "logistics",
    "complaint.system_failure": "tech_support",
    "after_sales.repair": "tech_support",
    "after_sales.installation": "tech_support",
    "complaint.quality": "tech_support",
    "after_sales.refund": "finance",
    "after_sales.invoice": "finance",
    "complaint.business_error": "finance",
}
CHANNEL_WEIGHTS = {
    "phone": 45,
    "chat": 20,
    "wechat": 15,
    "email": 8,
    "portal": 6,
    "sms": 4,
    "walk_in": 2,
}
ROOT_WEIGHTS = {CategoryRoot.CONSULT: 50, CategoryRoot.AFTER_SALES: 36, CategoryRoot.COMPLAINT: 14}
Progress = Callable[[int], object]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    name: str


@dataclass
class Staff:
    """The people tickets are distributed over."""

    teams: list[Team]
    agents_by_team: dict[int, list[User]]
    departments: dict[str, Department]
    department_members: dict[int, list[User]] = field(default_factory=dict)


def demo_center_exists() -> bool:
    return User.objects.filter(username="admin").exists()


def _person(rng: random.Random, used: set[str]) -> str:
    while True:
        name = content.person_name(rng)
        if name not in used:
            used.add(name)
            return name


@transaction.atomic
def seed_people(rng: random.Random) -> tuple[Staff, list[DemoLogin]]:
    """Manager ``admin``, 3 teams of agents with a lead each, QA, complaints, 3 departments."""
    used: set[str] = set()
    logins: list[DemoLogin] = []

    def make(username: str, roles: list[str], **extra: Any) -> User:
        name = _person(rng, used)
        user = user_create(
            actor=None,
            username=username,
            password=DEMO_PASSWORD,
            display_name=name,
            roles=roles,
            **extra,
        )
        logins.append(DemoLogin(username, DEMO_PASSWORD, ", ".join(roles), name))
        return user

    admin = make(
        "admin",
        [Role.MANAGER, Role.ADMIN],
        employee_number="KF0001",
        skill_level=SkillLevel.SENIOR,
        certification_level=5,
        is_superuser=True,
    )
    teams: list[Team] = []
    agents_by_team: dict[int, list[User]] = {}
    number = 100
    agent_count = 0
    for index, team_name in enumerate(TEAM_NAMES, start=1):
        team = team_create(actor=admin, name=team_name)
        number += 1
        lead = make(
            f"lead{index}",
            [Role.TEAM_LEAD],
            team=team,
            employee_number=f"KF{number:04d}",
            skill_level=SkillLevel.SENIOR,
            certification_level=4,
        )
        team_set_lead(actor=admin, team=team, lead=lead)
        agents = [lead]
        for _ in range(7 if index < 3 else 6):
            number += 1
            agent_count += 1
            level = rng.choices(list(SkillLevel.values), weights=[5, 4, 2])[0]
            agents.append(
                make(
                    f"agent{agent_count:02d}",
                    [Role.AGENT],
                    team=team,
                    employee_number=f"KF{number:04d}",
                    skill_level=level,
                    certification_level={"junior": 1, "intermediate": 2, "senior": 3}[level]
                    + rng.randint(0, 1),
                )
            )
        teams.append(team)
        agents_by_team[team.pk] = agents
    make(
        "qa1",
        [Role.QA_SPECIALIST],
        employee_number="KF0201",
        skill_level=SkillLevel.SENIOR,
        certification_level=4,
    )
    make(
        "complaint1",
        [Role.COMPLAINT_SPECIALIST],
        employee_number="KF0301",
        skill_level=SkillLevel.SENIOR,
        certification_level=4,
    )
    make(
        "trainer1",
        [Role.TRAINER],
        employee_number="KF0401",
        skill_level=SkillLevel.SENIOR,
        certification_level=5,
    )
    departments: dict[str, Department] = {}
    members: dict[int, list[User]] = {}
    for code, name in DEPARTMENTS:
        member = make(
            f"{code.split('_')[0]}1",
            [Role.DEPARTMENT_STAFF],
            employee_number=f"BO-{code[:4].upper()}1",
        )
        department = department_create(actor=admin, code=code, name=name, members=[member])
        departments[code] = department
        members[department.pk] = [member]
    logins[-3:] = [
        DemoLogin(login.username, login.password, f"department member ({dept_name})", login.name)
        for login, (_, dept_name) in zip(logins[-3:], DEPARTMENTS, strict=True)
    ]
    return Staff(teams, agents_by_team, departments, members), logins


def demo_logins_by_role() -> list[tuple[str, list[str]]]:
    """The demo's user names, grouped by role label, for printing after start-up."""
    rows: list[tuple[str, list[str]]] = []
    for role in Role:
        usernames = list(
            User.objects.filter(groups__name=role.value, is_active=True)
            .order_by("username")
            .values_list("username", flat=True)
        )
        if usernames:
            rows.append((f"{role.value} {role.label}", usernames))
    return rows


def load_staff() -> Staff:
    """The staff of an existing center, for seeding volume on top of it."""
    teams = list(Team.objects.filter(is_active=True).order_by("pk"))
    agents: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(is_active=True, team__isnull=False).order_by("pk"):
        agents[user.team_id].append(user)  # type: ignore[index]
    departments = {
        department.code: department for department in Department.objects.filter(is_active=True)
    }
    return Staff(teams, dict(agents), departments)


@transaction.atomic
def seed_demo_customers(rng: random.Random, count: int, actor: User) -> list[Customer]:
    """Customers through the service layer, so each creation is audited like a real one."""
    customers: list[Customer] = []
    while len(customers) < count:
        profile = content.customer_profile(rng)
        try:
            customers.append(
                customer_create(
                    actor=actor,
                    name=profile.name,
                    phone=profile.phone,
                    email=profile.email,
                    member_level=profile.member_level,
                    tier=profile.tier,
                    tags=list(profile.tags),
                    preferred_channel=profile.preferred_channel,
                    city=profile.city,
                    notes=profile.notes,
                )
            )
        except Conflict:
            continue  # a generated phone or e-mail repeated: draw another customer
    return customers


def seed_bulk_customers(rng: random.Random, count: int, progress: Progress | None = None) -> int:
    """Synthetic customers with encrypted identities, bulk-inserted."""
    customer_rows: list[dict[str, Any]] = []
    identity_rows: list[dict[str, Any]] = []
    customer_insert = BulkInserter(Customer)
    identity_insert = BulkInserter(CustomerIdentity)
    seen_hashes: set[tuple[str, str]] = set(
        CustomerIdentity.objects.values_list("kind", "lookup_hash")
    )
    customer_id = next_id(Customer)
    identity_id = next_id(CustomerIdentity)
    moment = now()
    created = 0

    def flush() -> None:
        with transaction.atomic():
            customer_insert.insert(customer_rows)
            identity_insert.insert(identity_rows)
        customer_rows.clear()
        identity_rows.clear()

    while created < count:
        profile = content.customer_profile(rng)
        phone_hash = identity_lookup_hash(IdentityKind.PHONE, profile.phone)
        if (IdentityKind.PHONE, phone_hash) in seen_hashes:
            continue
        seen_hashes.add((IdentityKind.PHONE, phone_hash))
        customer_rows.append(
            {
                "id": customer_id,
                "name": profile.name,
                "member_level": profile.member_level,
                "tier": profile.tier,
                "tags": list(profile.tags),
                "preferred_channel": profile.preferred_channel,
                "city": profile.city,
                "notes": profile.notes,
                "created_at": moment,
                "updated_at": moment,
                "version": 1,
            }
        )
        identity_rows.append(
            {
                "id": identity_id,
                "customer_id": customer_id,
                "kind": IdentityKind.PHONE,
                "value": profile.phone,
                "lookup_hash": phone_hash,
                "is_primary": True,
                "created_at": moment,
            }
        )
        identity_id += 1
        if profile.email:
            email_hash = identity_lookup_hash(IdentityKind.EMAIL, profile.email)
            if (IdentityKind.EMAIL, email_hash) not in seen_hashes:
                seen_hashes.add((IdentityKind.EMAIL, email_hash))
                identity_rows.append(
                    {
                        "id": identity_id,
                        "customer_id": customer_id,
                        "kind": IdentityKind.EMAIL,
                        "value": profile.email.lower(),
                        "lookup_hash": email_hash,
                        "is_primary": True,
                        "created_at": moment,
                    }
                )
                identity_id += 1
        customer_id += 1
        created += 1
        if len(customer_rows) >= 2000:
            flush()
            if progress:
                progress(2000)
    pending = len(customer_rows)
    flush()
    if progress and pending:
        progress(pending)
    reset_sequences(Customer, CustomerIdentity)
    return created


class TicketFactory:
    """Builds realistic ticket rows and their timelines for a time window."""

    def __init__(
        self, rng: random.Random, staff: Staff, customer_ids: Sequence[int], *, timeline: bool
    ) -> None:
        self.rng = rng
        self.staff = staff
        self.customer_ids = list(customer_ids)
        self.customer_names = dict(Customer.objects.values_list("pk", "name"))
        self.customer_tiers = dict(
            Customer.objects.filter(tier__in=["strategic", "core"]).values_list("pk", "tier")
        )
        self.timeline = timeline
        # Only the categories the demo has written texts for (an added type stays empty).
        written = [code for children in content.CATEGORY_CODES.values() for code in children]
        categories = list(
            Category.objects.filter(parent__isnull=False, is_active=True, code__in=written)
        )
        self.categories_by_root: dict[str, list[Category]] = defaultdict(list)
        for category in categories:
            self.categories_by_root[category.root].append(category)
        self.roots = [root for root in ROOT_WEIGHTS if self.categories_by_root.get(root)]
        self.root_weights = [ROOT_WEIGHTS[root] for root in self.roots]
        self.channels = list(CHANNEL_WEIGHTS)
        self.channel_weights = list(CHANNEL_WEIGHTS.values())
        self.ticket_id = next_id(Ticket)
        self.event_id = next_id(TicketEvent)
        self.sequences: dict[dt.date, int] = dict(
            TicketNumberSequence.objects.values_list("day", "last")
        )
        self.now = now()

    def _status(self, age_days: float, routed: bool) -> str:
        rng = self.rng
        if age_days > 7:
            options = [
                (TicketStatus.CLOSED, 88),
                (TicketStatus.RESOLVED, 5),
                (TicketStatus.CANCELLED, 2),
                (TicketStatus.OPEN, 3),
                (TicketStatus.PENDING_CUSTOMER, 2),
            ]
        elif age_days > 2:
            options = [
                (TicketStatus.CLOSED, 50),
                (TicketStatus.RESOLVED, 25),
                (TicketStatus.OPEN, 10),
                (TicketStatus.PENDING_CUSTOMER, 6),
                (TicketStatus.PENDING_DEPARTMENT, 7),
                (TicketStatus.CANCELLED, 2),
            ]
        else:
            options = [
                (TicketStatus.NEW, 18),
                (TicketStatus.OPEN, 30),
                (TicketStatus.PENDING_CUSTOMER, 9),
                (TicketStatus.PENDING_DEPARTMENT, 10),
                (TicketStatus.RESOLVED, 28),
                (TicketStatus.CLOSED, 5),
            ]
        status = rng.choices([s for s, _ in options], weights=[w for _, w in options])[0]
        if status == TicketStatus.PENDING_DEPARTMENT and not routed:
            status = TicketStatus.OPEN
        return status

    def _number(self, created_at: dt.datetime) -> str:
        day = local_date(created_at)
        sequence = self.sequences.get(day, 0) + 1
        self.sequences[day] = sequence
        return format_ticket_number(day, sequence)

    def build(self, created_at: dt.datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        rng = self.rng
        root = rng.choices(self.roots, weights=self.root_weights)[0]
        category = rng.choice(self.categories_by_root[root])
        customer_id = rng.choice(self.customer_ids) if self.customer_ids else None
        name = self.customer_names.get(customer_id or 0) or "客户"
        text = content.ticket_text(rng, category.code, name, around=local_date(created_at))
        tier = self.customer_tiers.get(customer_id or 0)
        if root == CategoryRoot.COMPLAINT:
            handling = HandlingClass.TRANSFER
            urgency = rng.choices([Urgency.URGENT, Urgency.NORMAL], weights=[4, 6])[0]
        elif root == CategoryRoot.CONSULT:
            handling = rng.choices([HandlingClass.INSTANT, HandlingClass.TRANSFER], weights=[8, 2])[
                0
            ]
            urgency = rng.choices(
                [Urgency.CONSULT, Urgency.NORMAL, Urgency.URGENT], weights=[6, 3, 1]
            )[0]
        else:
            handling = rng.choices([HandlingClass.INSTANT, HandlingClass.TRANSFER], weights=[4, 6])[
                0
            ]
            urgency = rng.choices(
                [Urgency.NORMAL, Urgency.URGENT, Urgency.CONSULT], weights=[7, 2, 1]
            )[0]
        if tier or urgency == Urgency.URGENT:
            priority = Priority.A
        else:
            priority = rng.choices([Priority.B, Priority.C], weights=[7, 3])[0]
        team = rng.choice(self.staff.teams) if self.staff.teams else None
        agents = self.staff.agents_by_team.get(team.pk, []) if team else []
        department = None
        dept_code = ROUTING.get(category.code)
        if (
            handling == HandlingClass.TRANSFER
            and dept_code in self.staff.departments
            and rng.random() < 0.6
        ):
            department = self.staff.departments[dept_code]
        age_days = (self.now - created_at).total_seconds() / 86400
        status = self._status(age_days, department is not None)
        assignee = (
            rng.choice(agents)
            if agents and (status != TicketStatus.NEW or rng.random() < 0.5)
            else None
        )

        def later(base: dt.datetime, low_minutes: float, high_minutes: float) -> dt.datetime:
            return min(
                base + dt.timedelta(minutes=rng.uniform(low_minutes, high_minutes)), self.now
            )

        # One ordered timeline: every moment follows the one before it and none lies ahead.
        handled = status != TicketStatus.NEW
        first_response = resolved_at = closed_at = cancelled_at = routed_at = pending_at = None
        cursor = created_at
        if status == TicketStatus.CANCELLED:
            if rng.random() < 0.5:
                first_response = cursor = later(cursor, 0.3, 60)
            cancelled_at = cursor = later(cursor, 5, 600)
        elif handled:
            first_response = cursor = later(
                created_at, 0.3, 90 if urgency != Urgency.URGENT else 40
            )
            if department is not None:
                routed_at = cursor = later(cursor, 1, 30)
            if status in (TicketStatus.PENDING_CUSTOMER, TicketStatus.PENDING_DEPARTMENT):
                pending_at = cursor = later(cursor, 1, 60)
            if status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
                span = (1, 15) if handling == HandlingClass.INSTANT else (120, 60 * 72)
                resolved_at = cursor = later(cursor, *span)
                if status == TicketStatus.CLOSED:
                    closed_at = cursor = later(resolved_at, 60 * 24, 60 * 72)
        solved = resolved_at is not None
        # Conversation happens while the ticket is being worked: after the first response and
        # before it was resolved (or up to now when it is still open).
        talk_until = resolved_at or (
            self.now if status not in (TicketStatus.CANCELLED,) else cancelled_at
        )
        ticket_id = self.ticket_id
        self.ticket_id += 1
        row = {
            "id": ticket_id,
            "number": self._number(created_at),
            "customer_id": customer_id,
            "channel": rng.choices(self.channels, weights=self.channel_weights)[0],
            "category_id": category.pk,
            "handling_class": handling,
            "urgency": urgency,
            "priority": priority,
            "status": status,
            "assignee_id": assignee.pk if assignee else None,
            "team_id": team.pk if team else None,
            "department_id": department.pk if department else None,
            "subject": text.subject,
            "description": text.description,
            "need_points": text.need_points if handled else "",
            "preferences": text.preferences,
            "special_requirements": text.special_requirements,
            "solution": text.solution if solved else "",
            "customer_feedback": text.customer_feedback if status == TicketStatus.CLOSED else "",
            "promised_at": later(created_at, 60 * 4, 60 * 72)
            if handling == HandlingClass.TRANSFER
            else None,
            "solution_owner_id": assignee.pk
            if assignee and handling == HandlingClass.TRANSFER
            else None,
            "created_by_id": assignee.pk if assignee else None,
            "created_at": created_at,
            "updated_at": cursor,
            "first_response_at": first_response,
            "resolved_at": resolved_at,
            "closed_at": closed_at,
            "cancelled_at": cancelled_at,
            "reopen_count": 0,
            "version": 1,
        }
        events: list[dict[str, Any]] = []

        def event(
            kind: str,
            moment: dt.datetime,
            *,
            body: str = "",
            public: bool = False,
            data: dict[str, Any] | None = None,
            actor: User | None = assignee,
        ) -> None:
            events.append(
                {
                    "id": self.event_id,
                    "ticket_id": ticket_id,
                    "kind": kind,
                    "actor_id": actor.pk if actor else None,
                    "body": body,
                    "is_public": public,
                    "data": data or {},
                    "created_at": moment,
                }
            )
            self.event_id += 1

        event(TicketEventKind.CREATED, created_at, data={"channel": row["channel"]})
        if not self.timeline:
            return row, events
        if assignee:
            event(
                TicketEventKind.ASSIGNMENT,
                created_at,
                data={"changes": {"assignee": [None, assignee.pk]}},
            )
        state = "new"
        if first_response:
            event(TicketEventKind.STATUS_CHANGE, first_response, data={"from": "new", "to": "open"})
            event(TicketEventKind.REPLY, first_response, body=text.agent_reply, public=True)
            state = "open"
            talk = (talk_until - first_response).total_seconds() if talk_until else 0.0
            if talk > 60 and rng.random() < 0.4:
                moment = first_response + dt.timedelta(seconds=rng.uniform(30, talk))
                event(
                    TicketEventKind.REPLY, moment, body=text.customer_reply, public=True, actor=None
                )
            if talk > 60 and rng.random() < 0.5:
                moment = first_response + dt.timedelta(seconds=rng.uniform(30, talk))
                event(TicketEventKind.NOTE, moment, body=text.internal_note)
        if routed_at and department is not None:
            event(
                TicketEventKind.ASSIGNMENT,
                routed_at,
                data={"changes": {"department": [None, department.pk]}},
            )
        if pending_at:
            event(TicketEventKind.STATUS_CHANGE, pending_at, data={"from": state, "to": status})
            state = status
        if resolved_at:
            event(
                TicketEventKind.STATUS_CHANGE, resolved_at, data={"from": state, "to": "resolved"}
            )
        if closed_at:
            event(
                TicketEventKind.STATUS_CHANGE, closed_at, data={"from": "resolved", "to": "closed"}
            )
        if cancelled_at:
            event(
                TicketEventKind.STATUS_CHANGE,
                cancelled_at,
                body="客户来电表示问题已自行解决，申请撤销",
                data={"from": state, "to": "cancelled"},
            )
        events.sort(key=lambda item: item["created_at"])
        row["updated_at"] = max(item["created_at"] for item in events)
        return row, events

    def save_sequences(self) -> None:
        """Store the day counters, never lowering one a live server has advanced meanwhile."""
        for day, last in self.sequences.items():
            row, created = TicketNumberSequence.objects.get_or_create(
                day=day, defaults={"last": last}
            )
            if not created and row.last < last:
                TicketNumberSequence.objects.filter(day=day, last__lt=last).update(last=last)


def seed_tickets(
    rng: random.Random,
    *,
    count: int,
    days: int,
    staff: Staff,
    customer_ids: Sequence[int],
    timeline: bool,
    progress: Progress | None = None,
    batch_size: int = 5000,
) -> int:
    """Insert ``count`` tickets created over the last ``days`` days, oldest first."""
    factory = TicketFactory(rng, staff, customer_ids, timeline=timeline)
    ticket_insert = BulkInserter(Ticket)
    event_insert = BulkInserter(TicketEvent)
    end = factory.now
    span = dt.timedelta(days=days).total_seconds()
    offsets = sorted(rng.random() * span for _ in range(count))
    tickets: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for index, offset in enumerate(offsets, start=1):
        created_at = end - dt.timedelta(seconds=span - offset)
        row, row_events = factory.build(created_at)
        tickets.append(row)
        events.extend(row_events)
        if len(tickets) >= batch_size or index == count:
            # Each batch commits with its numbering and id sequences, so an interrupted seed
            # leaves a database in which normal ticket creation still works.
            with transaction.atomic():
                ticket_insert.insert(tickets)
                event_insert.insert(events)
                factory.save_sequences()
                reset_sequences(Ticket, TicketEvent)
            if progress:
                progress(len(tickets))
            tickets.clear()
            events.clear()
    return count


def seed_demo_center(
    *,
    seed: int = 2026,
    customers: int = 500,
    tickets: int = 5000,
    days: int = 60,
    progress: Progress | None = None,
) -> list[DemoLogin]:
    """Create the demo center once: people, customers, tickets with timelines.

    One transaction: a seed that dies half-way leaves no half-built center behind.
    """
    with transaction.atomic():
        return _seed_demo_center(
            seed=seed, customers=customers, tickets=tickets, days=days, progress=progress
        )


def _seed_demo_center(
    *, seed: int, customers: int, tickets: int, days: int, progress: Progress | None
) -> list[DemoLogin]:
    rng = random.Random(seed)
    staff, logins = seed_people(rng)
    admin = User.objects.get(username="admin")
    created = seed_demo_customers(rng, customers, admin)
    seed_tickets(
        rng,
        count=tickets,
        days=days,
        staff=staff,
        customer_ids=[c.pk for c in created],
        timeline=True,
        progress=progress,
    )
    start_demo_clocks()
    # Registered through the services (which run their own clocks), then swept like the rest.
    if seed_demo_complaints(rng, created):
        from kefu.sla.services import sla_sweep

        sla_sweep()
    from kefu.demo.channels import seed_demo_contacts

    seed_demo_contacts(
        rng,
        created,
        [agent for agents in staff.agents_by_team.values() for agent in agents],
        staff.teams[1],  # 二组（在线）answers the web chat
    )
    from kefu.demo.quality import seed_demo_inspections

    seed_demo_inspections()  # QA-2: pending inspections assigned to the QA specialists
    from kefu.demo.bot import seed_demo_bot_sessions
    from kefu.demo.classifier import seed_demo_classifier
    from kefu.demo.knowledge import seed_demo_knowledge

    seed_demo_knowledge()  # TEC-5: articles and FAQ entries of an e-commerce after-sales center
    seed_demo_bot_sessions(rng)  # TEC-2: FAQ bot conversations, so deflection shows figures
    seed_demo_classifier()  # TEC-4: the ticket classifier trained on the demo's tickets
    from kefu.sla.services import sla_sweep

    sla_sweep()  # clocks that fell due while the later parts were seeded
    with transaction.atomic():
        audit_record(
            actor=admin,
            verb="demo.seed",
            target=None,
            object_repr="demo center",
            after={"customers": len(created), "tickets": tickets, "days": days},
        )
    return logins


def start_demo_clocks() -> int:
    """Run the standard's clocks over the demo's unfinished tickets, as if they had been live.

    Each ticket's clocks start at its creation and see its first reply and routing at the
    times its timeline says; the sweep then records what is overdue by now.
    """
    from kefu.sla.services import TicketChange, sla_sweep, sla_ticket_event

    unfinished = Ticket.objects.filter(
        status__in=[
            TicketStatus.NEW,
            TicketStatus.OPEN,
            TicketStatus.PENDING_CUSTOMER,
            TicketStatus.PENDING_DEPARTMENT,
        ]
    ).select_related("category", "customer")
    count = 0
    with transaction.atomic():
        for ticket in unfinished.order_by("created_at"):
            sla_ticket_event(ticket=ticket, change=TicketChange("created", ticket.created_at))
            if ticket.first_response_at:
                first = TicketChange(
                    "public_reply", ticket.first_response_at, first_public_reply=True
                )
                sla_ticket_event(ticket=ticket, change=first)
            routed = ticket.events.filter(
                kind="assignment", data__changes__has_key="department"
            ).first()
            if routed is not None:
                sla_ticket_event(ticket=ticket, change=TicketChange("routed", routed.created_at))
            if ticket.status in (TicketStatus.PENDING_CUSTOMER, TicketStatus.PENDING_DEPARTMENT):
                pending = ticket.events.filter(kind="status_change", data__to=ticket.status).first()
                if pending is not None:
                    change = TicketChange(
                        "status", pending.created_at, status_from="open", status_to=ticket.status
                    )
                    sla_ticket_event(ticket=ticket, change=change)
            count += 1
    sla_sweep()
    return count


def seed_volume(
    *,
    tickets: int,
    customers: int,
    days: int = 365,
    seed: int | None = None,
    progress: Progress | None = None,
    customer_progress: Progress | None = None,
    batch_size: int = 5000,
) -> dict[str, int]:
    """Synthetic volume for benchmarks on top of whatever the center has."""
    rng = random.Random(seed)
    staff = load_staff()
    if customers:
        seed_bulk_customers(rng, customers, progress=customer_progress)

    customer_ids = list(Customer.objects.values_list("pk", flat=True))
    seed_tickets(
        rng,
        count=tickets,
        days=days,
        staff=staff,
        customer_ids=customer_ids,
        timeline=False,
        progress=progress,
        batch_size=batch_size,
    )

    with transaction.atomic():
        audit_record(
            actor=None,
            verb="seed.volume",
            target=None,
            object_repr="synthetic volume",
            after={"tickets": tickets, "customers": customers},
        )
    return {"tickets": tickets, "customers": customers}

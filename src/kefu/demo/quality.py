"""Quality in the demo center (QA-1…QA-5, SCR-1, SCR-4), all through the real services.

Once the demo contacts exist:

* a few calls of last month come in (with their transcripts, some of them violating SCR-2),
  are checked automatically, and the checks are dated when those calls ended;
* every ended contact without an automatic check is checked, and the default sampling plan
  runs over the current and the last complete period (QA-2), so qa1 finds pending work;
* qa1 inspects a handful of calls with the real workflow: passes, one failing on a fatal item
  (红线), one result the agent accepted, one appeal still open, one appeal re-reviewed by the
  manager with a changed score and finalized, one inspection still in review;
* qa1 and the manager score the same call in a calibration session (the spread shows);
* the trainer keeps the script library with the standard scripts (SCR-1, SCR-4), last month's
  "script update and training topics" suggestions are drawn (QA-5), one script suggestion
  and one training suggestion are accepted, and the training plan has two topics (TRN-2).

Deterministic: the choices follow the order of the rows, never a random draw.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from kefu.accounts.models import User
from kefu.channels.models import Contact, ContactKind, ContactState
from kefu.channels.services import Segment, cti_event_record
from kefu.core.timeutils import local_date, now
from kefu.customers.identities import IdentityKind
from kefu.customers.models import CustomerIdentity
from kefu.quality.models import (
    AutoCheck,
    CalibrationSession,
    ImprovementSuggestion,
    Inspection,
    InspectionReason,
    InspectionState,
    ItemKind,
    SamplingPlan,
    SamplingRun,
    SuggestionKind,
)
from kefu.quality.services import contact_auto_check

DEFAULT_PLAN = "标准抽检计划"
HISTORY_PREFIX = "demo-history-"

# Last month's calls (QA-3, SCR-2): the agent's wording decides what the check finds.
GREETING = "您好，这里是客服中心，工号{number}，很高兴为您服务，请问有什么可以帮您？"
HISTORY_CALLS: tuple[tuple[tuple[str, str], ...], ...] = (
    (  # 推诿 (a fatal item of the standard scorecard)
        ("agent", GREETING),
        ("customer", "我的退款申请提交一周了，钱到现在还没到账。"),
        ("agent", "这不是我的职责，你找财务部门吧。"),
        ("customer", "那我应该怎么联系财务部门？"),
        ("agent", "感谢您的来电，再见！"),
    ),
    (  # 模糊承诺, no empathy for an upset customer
        ("agent", GREETING),
        ("customer", "洗衣机又坏了，这已经是第三次报修了，我真的很生气！"),
        ("agent", "我保证一定解决，您放心。"),
        ("customer", "上次你们也是这么说的。"),
        ("agent", "感谢您的来电，再见！"),
    ),
    (  # 生硬话术
        ("agent", GREETING),
        ("customer", "我想问一下发票抬头开错了怎么重新开。"),
        ("agent", "我听不懂，你再说一遍。"),
        ("customer", "发票抬头开错了，要重新开。"),
        (
            "agent",
            "好的，已经为您登记重开发票，三个工作日内发送到您的邮箱。请问还有其他问题吗？",
        ),
        ("customer", "没有了。"),
        ("agent", "感谢您的来电，再见！"),
    ),
    (  # 推诿 again, in other words
        ("agent", GREETING),
        ("customer", "快递显示已签收，但我根本没有收到包裹。"),
        ("agent", "这个不归我们管，您自己去问快递公司。"),
        ("customer", "可我是在你们这里买的。"),
        ("agent", "感谢您的来电，再见！"),
    ),
    (  # clean: greeting, restatement, empathy, satisfaction check, closing
        ("agent", GREETING),
        ("customer", "电视屏幕出现竖线，还在保修期内吗？我有点着急。"),
        ("agent", "非常理解您的心情。我确认一下：您是想了解电视屏幕竖线能否保修，对吗？"),
        ("customer", "对。"),
        (
            "agent",
            "您的电视在保修期内，已经为您预约明天上午上门检测，师傅会提前一小时联系您。"
            "请问您的问题已经解决了吗？",
        ),
        ("customer", "解决了，谢谢。"),
        ("agent", "请问还有其他可以帮您的吗？请问您对本次服务是否满意？"),
        ("customer", "没有了，很满意。"),
        ("agent", "感谢您的来电，祝您生活愉快，再见！"),
    ),
)
# Days of last month the calls above came in (10:00 Asia/Shanghai).
HISTORY_DAYS = (4, 9, 13, 18, 24)

# The standard scripts (SCR-1, SCR-4; a replacement of SCR-2), as the trainer enters them; the
# one for 推诿 comes from last month's suggestions (QA-5).
STANDARD_SCRIPTS: tuple[tuple[str, str, str, str, str], ...] = (
    # stage, title, text, category, replaces
    (
        "opening",
        "开场白",
        "您好，这里是客服中心，我是X号客服XX，很高兴为您服务。我可以为您办理订单查询、"
        "售后维修和投诉建议，请问有什么可以帮您？",
        "missing_greeting",
        "",
    ),
    (
        "need_confirmation",
        "需求确认",
        "为了更好地帮您解决问题，请问您的XX信息是？我跟您确认一下：您是希望……，对吗？"
        "我们会在XX时间内给您明确答复。",
        "missing_restatement",
        "",
    ),
    (
        "empathy",
        "情绪安抚",
        "非常理解您的心情，给您带来不便，真的很抱歉。请您放心，我这就帮您处理。",
        "no_empathy",
        "",
    ),
    (
        "empathy",
        "服务失误致歉",
        "非常抱歉，是我们的工作失误给您带来了麻烦。我们会立即纠正，并在XX时间内把处理结果告诉您。",
        "",
        "",
    ),
    (
        "answer",
        "婉拒不合理要求",
        "很抱歉，您的这个要求我们暂时无法满足，原因是……。我可以为您……，您看这样可以吗？",
        "",
        "",
    ),
    (
        "answer",
        "明确处理时限",
        "我们会在XX时间内给出明确的处理方案，届时会主动联系您。",
        "vague_promise",
        "我保证一定解决",
    ),
    (
        "closing",
        "结束语",
        "感谢您的来电。后续处理进展我们会在XX时间内联系您，如有其他问题欢迎拨打我们的客服热线。"
        "请问还有其他可以帮您的吗？祝您生活愉快，再见！",
        "missing_closing",
        "",
    ),
)
# The category whose suggestions the trainer accepts first (SCR-2 推诿).
PREFERRED_CATEGORY = "shirking"
TRAINING_TOPIC = (
    "投诉场景沟通技巧",
    "投诉客户的情绪安抚、需求复述与处理时限的承诺方式（SCR-1、SCR-4），结合上月质检案例演练。",
)


@dataclass
class DemoQuality:
    """What the quality seed made, for the demo tests and the start-up summary."""

    runs: list[SamplingRun] = field(default_factory=list)
    inspections: dict[str, Inspection] = field(default_factory=dict)
    calibration: CalibrationSession | None = None
    suggestions: list[ImprovementSuggestion] = field(default_factory=list)


def previous_month(today: dt.date) -> dt.date:
    """The first day of the month before ``today``'s."""
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _users(group: str) -> list[User]:
    return list(User.objects.filter(groups__name=group, is_active=True).order_by("username"))


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def seed_demo_history(agents: list[User]) -> list[Contact]:
    """Last month's calls with their transcripts, checked automatically; each check is dated
    when its call ended (the demo's past, so last month's insights have something to show)."""
    if not agents:
        return []
    month = previous_month(local_date(now()))
    zone = timezone.get_default_timezone()
    phones = list(
        CustomerIdentity.objects.filter(kind=IdentityKind.PHONE)
        .order_by("customer_id", "id")
        .values_list("value", flat=True)[: len(HISTORY_CALLS)]
    )
    contacts: list[Contact] = []
    for number, (lines, day) in enumerate(zip(HISTORY_CALLS, HISTORY_DAYS, strict=True)):
        agent = agents[(number * 3) % len(agents)]
        call_id = f"{HISTORY_PREFIX}{number}"
        caller = phones[number] if number < len(phones) else f"1390000{number:04d}"
        offered = timezone.make_aware(
            dt.datetime.combine(month.replace(day=day), dt.time(10)), zone
        )
        answered = offered + dt.timedelta(seconds=6 + number)
        common: dict[str, Any] = {"actor": None, "call_id": call_id, "caller": caller}
        cti_event_record(event="ringing", at=offered, agent=agent.username, **common)
        cti_event_record(event="answered", at=answered, agent=agent.username, **common)
        segments: list[Segment] = []
        start = 0.0
        for speaker, text in lines:
            said = text.format(number=agent.employee_number or "0001")
            length = max(2.0, len(said) / 4)
            segments.append(Segment(speaker, start, start + length, said))
            start += length + 0.5
        cti_event_record(
            event="transcript", at=answered + dt.timedelta(seconds=1), segments=segments, **common
        )
        ended = answered + dt.timedelta(seconds=start + 20)
        cti_event_record(event="ended", at=ended, agent=agent.username, **common)
        contact = Contact.objects.get(kind=ContactKind.CALL, external_id=call_id)
        contact_auto_check(contact=contact)
        # No service dates a check in the past: the demo's history is written as it happened.
        AutoCheck.objects.filter(contact=contact).update(checked_at=contact.ended_at)
        contacts.append(contact)
    return contacts


def seed_demo_sampling() -> list[SamplingRun]:
    """Check the ended contacts that have no automatic check yet, then run the default plan
    over the current period (the demo's contacts are today's) and the last complete one; the
    runs, empty if the plan is missing or inactive."""
    from kefu.quality.sampling_services import sampling_run

    for contact in Contact.objects.filter(state=ContactState.ENDED, auto_check__isnull=True):
        contact_auto_check(contact=contact)
    plan = SamplingPlan.objects.filter(name=DEFAULT_PLAN, is_active=True).first()
    if plan is None:
        return []
    moment = timezone.now()
    runs = [sampling_run(actor=None, plan=plan, now=moment)]
    runs.append(sampling_run(actor=None, plan=plan, period_start=moment, now=moment))
    return runs


def _manual(inspection: Inspection, *fractions: float) -> dict[str, float]:
    """The manual items of the inspection's scorecard, in order, given ``fractions``."""
    items = inspection.scorecard.items.filter(kind=ItemKind.MANUAL).order_by("id")
    return {
        str(item.pk): fractions[min(index, len(fractions) - 1)] for index, item in enumerate(items)
    }


def seed_demo_workflow(qa: User, manager: User, history: list[Contact]) -> dict[str, Inspection]:
    """qa1 inspects; agents accept or appeal; the manager re-reviews (QA-1, QA-2)."""
    from kefu.quality.inspection_services import (
        inspection_accept,
        inspection_appeal,
        inspection_create,
        inspection_finalize,
        inspection_re_review,
        inspection_score,
        inspection_start,
    )

    def take(contact: Contact, reason: str) -> Inspection:
        inspection = inspection_create(
            actor=qa, contact=contact, reason=reason, inspector=qa if contact.agent_id else None
        )
        if inspection.state == InspectionState.PENDING:
            inspection = inspection_start(actor=qa, inspection=inspection)
        return inspection

    def score(inspection: Inspection, *fractions: float, comment: str) -> Inspection:
        return inspection_score(
            actor=qa,
            inspection=inspection,
            manual_scores=_manual(inspection, *fractions),
            comment=comment,
        )

    # Today's answered calls with a transcript, oldest first, none of qa1's own.
    today = list(
        Contact.objects.filter(
            kind=ContactKind.CALL,
            state=ContactState.ENDED,
            agent__isnull=False,
            segments__isnull=False,
        )
        .exclude(external_id__startswith=HISTORY_PREFIX)
        .exclude(agent=qa)
        .distinct()
        .order_by("ended_at", "id")
    )
    made: dict[str, Inspection] = {}
    if len(today) < 5 or len(history) < 2:
        return made
    made["accepted"] = score(
        take(today[0], InspectionReason.SAMPLE), 1, 1, comment="处理规范，方案清晰。"
    )
    made["accepted"] = inspection_accept(actor=made["accepted"].agent, inspection=made["accepted"])

    changed = score(
        take(today[1], InspectionReason.SAMPLE), 0, 0.5, comment="未确认问题是否彻底解决。"
    )
    inspection_appeal(
        actor=changed.agent,
        inspection=changed,
        reason="通话结束前客户已确认安装时间并表示没有其他问题，问题已经解决。",
    )
    changed = inspection_re_review(
        actor=manager,
        inspection=changed,
        manual_scores=_manual(changed, 1, 1),
        decision="复听录音：客户已确认安装时间，问题已解决，改判为通过。",
    )
    made["re_reviewed"] = inspection_finalize(actor=manager, inspection=changed)

    appealed = score(
        take(today[2], InspectionReason.SAMPLE), 0.5, 0, comment="方案未说明上门时间范围。"
    )
    inspection_appeal(
        actor=appealed.agent,
        inspection=appealed,
        reason="已告知客户师傅会提前一小时联系，上门时间已明确。",
    )
    made["appealed"] = Inspection.objects.get(pk=appealed.pk)

    made["passed"] = score(take(today[3], InspectionReason.SAMPLE), 1, 0.5, comment="整体良好。")
    made["in_review"] = take(today[4], InspectionReason.SAMPLE)

    fatal = score(
        take(history[0], InspectionReason.FATAL), 1, 1, comment="红线：推诿客户（SCR-2）。"
    )
    made["fatal"] = fatal
    return made


def seed_demo_calibration(qa: User, manager: User, contact: Contact) -> CalibrationSession:
    """qa1 and the manager score the same call; their scores differ on one item (QA-2)."""
    from kefu.quality.calibration import calibration_create, calibration_score_submit

    session = calibration_create(
        actor=qa,
        title="月度校准：模糊承诺案例",
        contact=contact,
        participants=[qa, manager],
    )
    items = session.scorecard.items.filter(kind=ItemKind.MANUAL).order_by("id")
    for person, fractions in ((qa, (0.5, 0.5)), (manager, (0.5, 1.0))):
        scores = {
            str(item.pk): fractions[min(index, len(fractions) - 1)]
            for index, item in enumerate(items)
        }
        calibration_score_submit(actor=person, session=session, manual_scores=scores)
    return session


def seed_demo_library(trainer: User) -> None:
    """The standard scripts (SCR-1, SCR-4) and one training topic of this month (TRN-2)."""
    from kefu.knowledge.services import script_create
    from kefu.people.services import training_topic_create

    for stage, title, text, category, replaces in STANDARD_SCRIPTS:
        script_create(
            actor=trainer,
            stage=stage,
            title=title,
            text=text,
            category=category,
            replaces=replaces,
        )
    training_topic_create(
        actor=trainer,
        month=local_date(now()).replace(day=1),
        title=TRAINING_TOPIC[0],
        detail=TRAINING_TOPIC[1],
    )


def _evidence_category(row: ImprovementSuggestion) -> str:
    evidence = row.evidence if isinstance(row.evidence, dict) else {}
    return str(evidence.get("category") or "")


def seed_demo_suggestions(trainer: User) -> list[ImprovementSuggestion]:
    """Last month's suggestions (as the monthly task draws them on the 1st, QA-5); the trainer
    accepts the first script suggestion into the library and the first training suggestion
    into the training plan."""
    from kefu.quality.suggestions import suggestion_accept, suggestions_draw

    rows = suggestions_draw(actor=None, month=previous_month(local_date(now())))
    for kind in (SuggestionKind.SCRIPT, SuggestionKind.TRAINING):
        mine = [row for row in rows if row.kind == kind]
        # 推诿 (a red line) first when last month had it, else the most frequent finding.
        mine.sort(key=lambda row: _evidence_category(row) != PREFERRED_CATEGORY)
        if mine:
            suggestion_accept(actor=trainer, suggestion=mine[0])
    return list(ImprovementSuggestion.objects.filter(pk__in=[row.pk for row in rows]))


def seed_demo_inspections() -> DemoQuality:
    """The demo's QA center (see the module docstring)."""
    result = DemoQuality()
    agents = _users("agent")
    history = seed_demo_history(agents)
    result.runs = seed_demo_sampling()
    qa, manager, trainer = _user("qa1"), _user("admin"), _user("trainer1")
    if qa is None or manager is None:
        return result
    result.inspections = seed_demo_workflow(qa, manager, history)
    if len(history) > 1:
        result.calibration = seed_demo_calibration(qa, manager, history[1])
    if trainer is not None:
        seed_demo_library(trainer)
        result.suggestions = seed_demo_suggestions(trainer)
    return result

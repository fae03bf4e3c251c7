"""Insights from quality inspection (QA-3, QA-4, QA-5, IMP-1): pass rates against the target,
the most frequent violations and the most frequent customer topics of a period.

A period is two calendar days ``start``…``end`` (both included) in the center's time zone.
Every read is capped (rows, characters) so that a month of a busy center answers in seconds;
a capped answer says so (``truncated``). Customer topics, the slow part (word segmentation),
are kept in Django's cache: ten minutes for a period that includes today, about a year for a
closed one; the key holds the period, the team scope and the highest customer turn of the
scope, so new conversations show at once. The monthly task fills last month's entries.

Team numbers agree: inspections count by ``Inspection.team`` and checks and customer turns by
the contact's stored team (``Contact.team``, else its agent's team — the rule inspections are
created with). A team lead's scope is :func:`kefu.quality.team_scope.lead_team_ids`, the same
as for the inspection list. Text shown from conversations (examples, evidence) has phone
numbers, ID numbers and e-mail addresses masked (SEC-3).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone

from kefu.accounts.models import Team, User
from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_has_role
from kefu.channels.models import ContactMessage, ContactSegment, Speaker
from kefu.core.errors import InvalidInput, PermissionDenied
from kefu.core.masking import mask_personal_data
from kefu.core.timeutils import local_date, now
from kefu.quality.insight_stopwords import STOPWORDS
from kefu.quality.models import AutoCheck, Inspection, InspectionState
from kefu.quality.selectors import CATEGORY_LABELS
from kefu.quality.team_scope import lead_team_ids
from kefu.standard.selectors import standard_value

# Inspections whose result stands (an appealed one waits for its re-review).
COUNTED_STATES = (InspectionState.SCORED, InspectionState.RE_REVIEWED, InspectionState.FINAL)
GROUPS = ("agent", "team", "month")
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2999, 12, 30)
MAX_SPAN_DAYS = 3 * 366
MAX_LIMIT = 100
# Caps on what one answer reads.
MAX_CHECKS = 20_000
MAX_INSPECTIONS = 20_000
MAX_TURNS = 30_000
MAX_TURN_CHARS = 300
MAX_CORPUS_CHARS = 1_000_000
EXAMPLES = 3
EXAMPLE_CHARS = 80
MIN_TOPIC_CONTACTS = 2
# Customer topics in Django's cache: a period that includes today, and a closed one.
TOPICS_CACHE_SECONDS = 10 * 60
CLOSED_TOPICS_CACHE_SECONDS = 400 * 24 * 3600

INSIGHT_ROLES = (Role.TEAM_LEAD, Role.QA_SPECIALIST, Role.TRAINER, Role.MANAGER, Role.ADMIN)
CENTER_WIDE_ROLES = (Role.QA_SPECIALIST, Role.TRAINER, Role.MANAGER, Role.ADMIN)

# A topic word: two or more Han characters, or a Latin word (APP, WiFi, 5G) of two or more.
_TOPIC_WORD = re.compile(r"^(?:[\u4e00-\u9fff]{2,}|[a-z][a-z0-9]+|[0-9]+[a-z]+[a-z0-9]*)$")


# -- who sees what, and which period ------------------------------------------------------------


def insight_team_scope(user: Any) -> list[int] | None:
    """The teams whose insights ``user`` sees — a team lead: their own team and every team they
    lead (:func:`~kefu.quality.team_scope.lead_team_ids`, as for inspections) — or None for the
    whole center (QA specialists, trainers, managers, administrators). Agents are refused."""
    if not getattr(user, "is_authenticated", False) or not user_has_role(user, *INSIGHT_ROLES):
        raise PermissionDenied("quality insights are for team leads, QA, trainers and managers")
    if user_has_role(user, *CENTER_WIDE_ROLES):
        return None
    teams = lead_team_ids(user)
    if not teams:
        raise PermissionDenied("a team lead sees the insights of their teams; you have none")
    return teams


def _team_ids(team: Any) -> list[int] | None:
    """``team`` (None, a team, an id or a list of them) as sorted ids; None is the center."""
    if team is None:
        return None
    values = team if isinstance(team, list | tuple | set | frozenset) else [team]
    ids: set[int] = set()
    for value in values:
        key: Any = getattr(value, "pk", value)
        ids.add(int(key))
    return sorted(ids)


def _contact_team_filter(team_ids: list[int], prefix: str = "contact__") -> Q:
    """Rows whose contact belongs to one of ``team_ids``: the team stored on the contact, or —
    when it has none — its agent's team; the same rule an inspection's team is set by."""
    return Q(**{f"{prefix}team_id__in": team_ids}) | Q(
        **{f"{prefix}team__isnull": True, f"{prefix}agent__team_id__in": team_ids}
    )


def _day(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput("must be a date YYYY-MM-DD", field=field) from None
    if not isinstance(value, dt.date):
        raise InvalidInput("must be a date YYYY-MM-DD", field=field)
    if not EARLIEST <= value <= LATEST:
        raise InvalidInput("choose a date between 2000 and 2999", field=field)
    return value


def insight_period(start: Any = None, end: Any = None) -> tuple[dt.date, dt.date]:
    """The period ``start``…``end`` (days, both included) checked: by default from the first of
    this month to today; a bad date or an inverted or too long period is a 422."""
    today = local_date(now())
    first = _day(start, "start") if start not in (None, "") else today.replace(day=1)
    last = _day(end, "end") if end not in (None, "") else max(today, first)
    if last < first:
        raise InvalidInput("must not be before start", field="end")
    if (last - first).days > MAX_SPAN_DAYS:
        raise InvalidInput(f"a period is at most {MAX_SPAN_DAYS} days", field="end")
    return first, last


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware instants [start 00:00, day after end 00:00) in the center's time zone."""
    first, last = insight_period(start, end)
    zone = timezone.get_current_timezone()
    begin = dt.datetime.combine(first, dt.time.min).replace(tzinfo=zone)
    finish = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min).replace(tzinfo=zone)
    return begin, finish


def _limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"must be a whole number from 1 to {MAX_LIMIT}", field="limit")
    return limit


def _person(user: User | None) -> str:
    if user is None:
        return "—"
    return user.display_name or user.username


def mask_evidence(evidence: Any) -> dict[str, Any]:
    """A stored suggestion's evidence for display, its example text masked (SEC-3): rows drawn
    before masking existed show no personal data either."""
    if not isinstance(evidence, dict):
        return {}
    shown = dict(evidence)
    examples = evidence.get("examples")
    if isinstance(examples, list):
        shown["examples"] = [
            {
                **item,
                **{
                    name: mask_personal_data(str(item[name]))
                    for name in ("evidence", "text")
                    if item.get(name)
                },
            }
            if isinstance(item, dict)
            else item
            for item in examples
        ]
    if isinstance(evidence.get("phrases"), list):
        shown["phrases"] = [mask_personal_data(str(text)) for text in evidence["phrases"]]
    return shown


# -- pass rates (QA-4) --------------------------------------------------------------------------


def pass_rate_target() -> float:
    """The QA pass-rate target of the standard in force (``qa_pass_target``, QA-4), percent."""
    return float(standard_value("qa_pass_target"))


def _counted_inspections(
    start: dt.date, end: dt.date, *, team: Any = None, agent: Any = None
) -> QuerySet[Inspection]:
    begin, finish = _bounds(start, end)
    found = Inspection.objects.filter(
        state__in=COUNTED_STATES,
        scored_at__gte=begin,
        scored_at__lt=finish,
        passed__isnull=False,
    )
    team_ids = _team_ids(team)
    if team_ids is not None:
        found = found.filter(team_id__in=team_ids)
    if agent is not None:
        found = found.filter(agent_id=getattr(agent, "pk", agent))
    return found


def _rate_row(key: Any, label: str, count: int, passed: int, target: float) -> dict[str, Any]:
    rate = round(100.0 * passed / count, 1) if count else None
    return {
        "key": key,
        "label": label,
        "count": count,
        "passed": passed,
        "failed": count - passed,
        "rate": rate,
        "target": target,
        "meets_target": rate is not None and rate >= target,
    }


def pass_rates(
    *,
    start: dt.date,
    end: dt.date,
    group_by: str = "agent",
    team: Any = None,
    target: float | None = None,
) -> list[dict[str, Any]]:
    """The QA pass rate (QA-4) per agent, team or month of the inspections scored in the period
    whose result stands (scored, re-reviewed, final): ``count``, ``passed``, ``rate`` (percent,
    one decimal) and ``meets_target`` against ``qa_pass_target``.

    Agents and teams come worst first (those below target on top); months in order. A caller
    that shows several panels reads the ``target`` once and passes it.
    """
    if group_by not in GROUPS:
        raise InvalidInput(f"one of {', '.join(GROUPS)}", field="group_by")
    if target is None:
        target = pass_rate_target()
    found = _counted_inspections(start, end, team=team)
    passed = Count("id", filter=Q(passed=True))
    rows: list[dict[str, Any]] = []
    if group_by == "month":
        zone = ZoneInfo(settings.TIME_ZONE)
        grouped = (
            found.annotate(period=TruncMonth("scored_at", tzinfo=zone))
            .values("period")
            .annotate(count=Count("id"), passed=passed)
            .order_by("period")
        )
        for row in grouped:
            period = row["period"]
            key = f"{timezone.localtime(period, zone):%Y-%m}" if period else "—"
            rows.append(_rate_row(key, key, row["count"], row["passed"], target))
        return rows
    column = "agent_id" if group_by == "agent" else "team_id"
    grouped = found.values(column).annotate(count=Count("id"), passed=passed).order_by(column)
    counts = [(row[column], row["count"], row["passed"]) for row in grouped]
    ids = [key for key, _count, _passed in counts if key is not None]
    if group_by == "agent":
        people = User.objects.in_bulk(ids)
        labels = {key: _person(people.get(key)) for key in ids}
    else:
        teams = Team.objects.in_bulk(ids)
        labels = {key: teams[key].name if key in teams else "—" for key in ids}
    for key, count, ok in counts:
        rows.append(_rate_row(key, labels.get(key, "—"), count, ok, target))
    rows.sort(key=lambda row: (row["rate"] if row["rate"] is not None else 101.0, row["label"]))
    return rows


def pass_rate_overall(
    *, start: dt.date, end: dt.date, team: Any = None, target: float | None = None
) -> dict[str, Any]:
    """The pass rate of all inspections of the period (QA-4), as one row."""
    totals = _counted_inspections(start, end, team=team).aggregate(
        count=Count("id"), passed=Count("id", filter=Q(passed=True))
    )
    if target is None:
        target = pass_rate_target()
    return _rate_row("all", "", totals["count"] or 0, totals["passed"] or 0, target)


# -- frequent violations (QA-3) -----------------------------------------------------------------


def _example(contact_id: int, finding: dict[str, Any]) -> dict[str, Any]:
    return {
        "contact_id": contact_id,
        "evidence": mask_personal_data(str(finding.get("evidence") or ""))[:EXAMPLE_CHARS],
        "text": mask_personal_data(str(finding.get("text") or ""))[: EXAMPLE_CHARS * 2],
        "speaker": str(finding.get("speaker") or ""),
    }


def frequent_violations(
    *,
    start: dt.date,
    end: dt.date,
    team: Any = None,
    agent: Any = None,
    limit: int = 10,
) -> dict[str, Any]:
    """The most frequent findings of the automatic check (QA-3) on the contacts of the period —
    by the contact's own time (its end, or its start while it has not ended), so re-checking
    old contacts does not move them into this month — and the most often failed scorecard
    items of its inspections. Evidence and examples come masked (SEC-3).

    ``violations``: per category the ``count`` of findings, the ``contacts`` with one and their
    ``share`` (percent) of the ``checked`` contacts, the standard, the recommended replacement
    (``suggestion``), the most frequent wording found (``phrases``) and a few ``examples``.
    ``failed_items``: per scorecard item how many ``inspected`` contacts failed it.
    """
    limit = _limit(limit)
    begin, finish = _bounds(start, end)
    checks = AutoCheck.objects.filter(
        Q(contact__ended_at__gte=begin, contact__ended_at__lt=finish)
        | Q(
            contact__ended_at__isnull=True,
            contact__created_at__gte=begin,
            contact__created_at__lt=finish,
        )
    )
    team_ids = _team_ids(team)
    if team_ids is not None:
        checks = checks.filter(_contact_team_filter(team_ids))
    if agent is not None:
        checks = checks.filter(contact__agent_id=getattr(agent, "pk", agent))
    rows = list(checks.order_by("-contact_id").values_list("contact_id", "findings")[:MAX_CHECKS])
    counts: Counter[str] = Counter()
    contacts: dict[str, set[int]] = defaultdict(set)
    standards: dict[str, str] = {}
    suggestions: dict[str, Counter[str]] = defaultdict(Counter)
    phrases: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for contact_id, findings in rows:
        for finding in findings if isinstance(findings, list) else []:
            if not isinstance(finding, dict) or not finding.get("category"):
                continue
            category = str(finding["category"])
            counts[category] += 1
            contacts[category].add(contact_id)
            standards.setdefault(category, str(finding.get("standard") or ""))
            if finding.get("suggestion"):
                suggestions[category][str(finding["suggestion"])] += 1
            evidence = mask_personal_data(str(finding.get("evidence") or "").strip())
            if evidence and finding.get("span"):
                phrases[category][evidence[:EXAMPLE_CHARS]] += 1
            if len(examples[category]) < EXAMPLES:
                examples[category].append(_example(contact_id, finding))
    checked = len(rows)
    violations = []
    for category, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]:
        touched = len(contacts[category])
        common = suggestions[category].most_common(1)
        violations.append(
            {
                "category": category,
                "label": str(CATEGORY_LABELS.get(category, category)),
                "standard": standards.get(category, ""),
                "count": count,
                "contacts": touched,
                "share": round(100.0 * touched / checked, 1) if checked else 0.0,
                "suggestion": common[0][0] if common else "",
                "phrases": [text for text, _n in phrases[category].most_common(5)],
                "examples": examples[category],
            }
        )
    inspected, failed_items = _failed_items(start, end, team=team, agent=agent, limit=limit)
    return {
        "checked": checked,
        "truncated": checked >= MAX_CHECKS,
        "violations": violations,
        "inspected": inspected,
        "failed_items": failed_items,
    }


def _failed_items(
    start: dt.date, end: dt.date, *, team: Any, agent: Any, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    results = list(
        _counted_inspections(start, end, team=team, agent=agent)
        .order_by("-scored_at")
        .values_list("result", flat=True)[:MAX_INSPECTIONS]
    )
    counts: Counter[tuple[str, str, bool]] = Counter()
    for result in results:
        items = result.get("items") if isinstance(result, dict) else None
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and item.get("failed"):
                key = (
                    str(item.get("title", "")),
                    str(item.get("dimension", "")),
                    bool(item.get("fatal")),
                )
                counts[key] += 1
    inspected = len(results)
    return inspected, [
        {
            "title": title,
            "dimension": dimension,
            "fatal": fatal,
            "count": count,
            "share": round(100.0 * count / inspected, 1) if inspected else 0.0,
        }
        for (title, dimension, fatal), count in sorted(
            counts.items(), key=lambda item: (-item[1], item[0])
        )[:limit]
    ]


# -- customer topics (QA-3, IMP-1) --------------------------------------------------------------


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    """A jieba tokenizer whose dictionary cache lives in the data directory (nothing is written
    elsewhere); loaded once per process."""
    import jieba  # type: ignore[import-untyped]

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    temporary = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)
    if temporary and os.path.isdir(temporary):
        tokenizer.tmp_dir = temporary
    return tokenizer


@lru_cache(maxsize=1)
def _general_idf() -> tuple[dict[str, float], float]:
    """Inverse document frequencies of a general Chinese corpus (jieba's ``idf.txt``), and
    their median for words it does not know: a word every conversation uses ranks low."""
    import jieba

    path = os.path.join(os.path.dirname(jieba.__file__), "analyse", "idf.txt")
    table: dict[str, float] = {}
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                word, _space, value = line.strip().partition(" ")
                try:
                    table[word] = float(value)
                except ValueError:
                    continue
    except OSError:
        return {}, 1.0
    values = sorted(table.values())
    return table, values[len(values) // 2] if values else 1.0


def _turn_querysets(
    start: dt.date, end: dt.date, team_ids: list[int] | None
) -> tuple[QuerySet[ContactSegment], QuerySet[ContactMessage]]:
    begin, finish = _bounds(start, end)
    segments = ContactSegment.objects.filter(
        speaker=Speaker.CUSTOMER, contact__created_at__gte=begin, contact__created_at__lt=finish
    )
    messages = ContactMessage.objects.filter(
        speaker=Speaker.CUSTOMER, created_at__gte=begin, created_at__lt=finish
    )
    if team_ids is not None:
        segments = segments.filter(_contact_team_filter(team_ids))
        messages = messages.filter(_contact_team_filter(team_ids))
    return segments, messages


def _customer_turns(
    start: dt.date, end: dt.date, *, team_ids: list[int] | None
) -> tuple[list[tuple[int, str]], bool]:
    """(contact id, text) of customer turns — transcript segments of calls and messages of
    written conversations — each cut to ``MAX_TURN_CHARS``, at most ``MAX_TURNS``."""
    segments, messages = _turn_querysets(start, end, team_ids)
    turns: list[tuple[int, str]] = list(
        segments.annotate(head=Substr("text", 1, MAX_TURN_CHARS))
        .order_by("-contact_id", "start")
        .values_list("contact_id", "head")[:MAX_TURNS]
    )
    room = MAX_TURNS - len(turns)
    if room > 0:
        turns += list(
            messages.annotate(head=Substr("body", 1, MAX_TURN_CHARS))
            .order_by("-created_at")
            .values_list("contact_id", "head")[:room]
        )
    truncated = len(turns) >= MAX_TURNS
    kept, total = [], 0
    for contact_id, text in turns:
        total += len(text or "")
        if total > MAX_CORPUS_CHARS:
            truncated = True
            break
        kept.append((contact_id, text or ""))
    return kept, truncated


def _joined(first: str, second: str) -> str:
    return f"{first} {second}" if first.isascii() and second.isascii() else first + second


def _snippet(text: str, term: str) -> str:
    """A piece of ``text`` around ``term``, personal data masked first (SEC-3)."""
    text = mask_personal_data(text)
    at = text.find(term)
    if at < 0:
        return text[:EXAMPLE_CHARS]
    begin = max(0, at - EXAMPLE_CHARS // 3)
    return text[begin : begin + EXAMPLE_CHARS]


def _topics_key(first: dt.date, last: dt.date, team_ids: list[int] | None) -> str:
    """The cache key of a period's topics: the period, the team scope and the newest customer
    turn (highest id, and how many) of that scope — a new conversation is a new key."""
    segments, messages = _turn_querysets(first, last, team_ids)
    newest_segments = segments.aggregate(top=Max("id"), count=Count("id"))
    newest_messages = messages.aggregate(top=Max("id"), count=Count("id"))
    scope = "all" if team_ids is None else ",".join(map(str, team_ids))
    raw = (
        f"{first.isoformat()}|{last.isoformat()}|{scope}|"
        f"{newest_segments['top']}:{newest_segments['count']}|"
        f"{newest_messages['top']}:{newest_messages['count']}"
    )
    return "kefu:qa:topics:v1:" + hashlib.sha256(raw.encode()).hexdigest()


def customer_topics(
    *, start: dt.date, end: dt.date, limit: int = 20, team: Any = None
) -> dict[str, Any]:
    """What customers call about in the period (QA-3, IMP-1): keywords and two-word phrases
    mined from customer turns only (the agent's words are not the customer's topic).

    Turns are segmented with jieba (dictionary words only, no HMM guessing of unknown words:
    twice as fast); stopwords (:mod:`kefu.quality.insight_stopwords`), single
    characters and numbers are left out. A keyword's ``score`` is the number of contacts that
    mention it times its inverse document frequency in a general Chinese corpus (TF-IDF with
    contacts as documents: words every conversation uses rank low). Phrases are adjacent word
    pairs, ranked by contacts. Only terms of at least two contacts count; each comes with a few
    example contacts, their text masked (SEC-3).

    The answer is cached (Django's cache): :data:`TOPICS_CACHE_SECONDS` for a period that
    includes today, :data:`CLOSED_TOPICS_CACHE_SECONDS` for a closed one; see
    :func:`_topics_key` for what makes it fresh.
    """
    limit = _limit(limit)
    first, last = insight_period(start, end)
    team_ids = _team_ids(team)
    key = _topics_key(first, last, team_ids)
    found = cache.get(key)
    if not isinstance(found, dict):
        found = _mined_topics(first, last, team_ids)
        closed = last < local_date(now())
        cache.set(key, found, CLOSED_TOPICS_CACHE_SECONDS if closed else TOPICS_CACHE_SECONDS)
    return {**found, "keywords": found["keywords"][:limit], "phrases": found["phrases"][:limit]}


def _mined_topics(first: dt.date, last: dt.date, team_ids: list[int] | None) -> dict[str, Any]:
    """:func:`customer_topics` without the cache, up to :data:`MAX_LIMIT` terms of each kind."""
    turns, truncated = _customer_turns(first, last, team_ids=team_ids)
    tokenizer = _tokenizer()
    word_contacts: dict[str, set[int]] = defaultdict(set)
    word_counts: Counter[str] = Counter()
    phrase_contacts: dict[str, set[int]] = defaultdict(set)
    examples: dict[str, list[dict[str, Any]]] = defaultdict(list)
    contacts: set[int] = set()

    def remember(term: str, contact_id: int, text: str) -> None:
        found = examples[term]
        if len(found) < EXAMPLES and all(item["contact_id"] != contact_id for item in found):
            found.append({"contact_id": contact_id, "text": _snippet(text, term)})

    for contact_id, text in turns:
        contacts.add(contact_id)
        previous = ""
        for raw in tokenizer.lcut(text, HMM=False):
            token = raw.strip().lower()
            if not token:
                continue
            if token in STOPWORDS or not _TOPIC_WORD.match(token):
                previous = ""
                continue
            word_counts[token] += 1
            word_contacts[token].add(contact_id)
            remember(token, contact_id, text)
            if previous:
                phrase = _joined(previous, token)
                phrase_contacts[phrase].add(contact_id)
                remember(phrase, contact_id, text)
            previous = token
    idf, median = _general_idf()
    keywords: list[dict[str, Any]] = []
    for word, mentioned in word_contacts.items():
        if len(mentioned) < MIN_TOPIC_CONTACTS:
            continue
        score = len(mentioned) * idf.get(word, median)
        keywords.append(
            {
                "term": word,
                "contacts": len(mentioned),
                "count": word_counts[word],
                "score": round(score, 2),
                "examples": examples[word],
            }
        )
    keywords.sort(key=lambda row: (-row["score"], row["term"]))
    phrases: list[dict[str, Any]] = [
        {"term": phrase, "contacts": len(mentioned), "examples": examples[phrase]}
        for phrase, mentioned in phrase_contacts.items()
        if len(mentioned) >= MIN_TOPIC_CONTACTS
    ]
    phrases.sort(key=lambda row: (-row["contacts"], row["term"]))
    return {
        "contacts": len(contacts),
        "turns": len(turns),
        "truncated": truncated,
        "keywords": keywords[:MAX_LIMIT],
        "phrases": phrases[:MAX_LIMIT],
    }


def topics_keep_month(month: dt.date) -> int:
    """Mine ``month``'s customer topics into the cache for the whole center and for each team
    lead's scope, so the insights of a closed month are read back, not mined again (the
    monthly task, QA-3). How many scopes were filled."""
    first = month.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    scopes: set[tuple[int, ...]] = set()
    for lead in User.objects.filter(is_active=True, groups__name=Role.TEAM_LEAD).distinct():
        teams = lead_team_ids(lead)
        if teams:
            scopes.add(tuple(teams))
    customer_topics(start=first, end=last)
    for scope in sorted(scopes):
        customer_topics(start=first, end=last, team=list(scope))
    return 1 + len(scopes)


# -- the monthly suggestions (QA-5) -------------------------------------------------------------


def improvement_suggestions(*, user: Any, month: dt.date | None = None) -> QuerySet[Any]:
    """The monthly suggestions ``user`` may read (of ``month``, or all), newest month first."""
    from kefu.quality.models import ImprovementSuggestion

    if not getattr(user, "is_authenticated", False) or not user.has_perm(
        "quality.view_improvementsuggestion"
    ):
        raise PermissionDenied("monthly suggestions are for team leads, QA, trainers, managers")
    found = ImprovementSuggestion.objects.select_related("decided_by")
    if month is not None:
        found = found.filter(month=month.replace(day=1))
    return found.order_by("-month", "kind", "state", "id")


def suggestion_months(*, user: Any, limit: int = 24) -> list[dt.date]:
    """Months that have suggestions, newest first."""
    from kefu.quality.models import ImprovementSuggestion

    improvement_suggestions(user=user)  # the permission check
    return list(
        ImprovementSuggestion.objects.order_by("-month")
        .values_list("month", flat=True)
        .distinct()[:limit]
    )

"""Agent assist (TEC-1): what to show beside the reply composer for what the customer just asked.

A read-only selector. :func:`assist_suggestions` takes the customer's latest message as the main
query and earlier customer turns as weaker context, and returns, each with a reason:

* **FAQ answers** (TEC-2, TEC-5) ranked by :func:`kefu.assist.faq_answers.faq_matches`, with
  the answer as sanitized HTML and as plain text for the composer;
* **knowledge articles** (TEC-5) from the staff search, limited to the articles the user may
  read (:func:`kefu.knowledge.article_selectors.articles_visible_to`);
* **scripts** from the library (SCR-1, SCR-4; active ones only) recommended by the stage of the
  conversation — opening at the start, restatement to confirm the need (HND-1), empathy for an
  upset customer (HND-9), the closing confirmation and phrase (CLS-1, CLS-2) — and by
  similarity to the customer's words.

:func:`ticket_conversation` and :func:`contact_conversation` read the customer's turns of a
ticket or a contact the user may see, for the GET endpoints and the pages.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_roles
from kefu.assist.faq_answers import CHOICES_AT, faq_matches
from kefu.core.errors import InvalidInput, PermissionDenied
from kefu.knowledge.article_selectors import articles_visible_to
from kefu.knowledge.faq_services import may_edit_faqs
from kefu.knowledge.markdown import render_markdown
from kefu.knowledge.models import ArticleState, Faq, FaqChannel, Script, ScriptStage
from kefu.knowledge.search import search, snippet, tokenize

# Staff who answer customers or coach those who do: agents and above (ORG-1). Department staff
# and system integrations get no suggestions.
ASSIST_ROLES = frozenset(
    {
        Role.AGENT,
        Role.TEAM_LEAD,
        Role.QA_SPECIALIST,
        Role.COMPLAINT_SPECIALIST,
        Role.TRAINER,
        Role.MANAGER,
        Role.ADMIN,
    }
)
MAX_TEXT = 2000
"""Characters of the customer's latest message the API accepts."""
MAX_CONTEXT = 20
"""Earlier customer turns the API accepts; only the last ``CONTEXT_TURNS`` are used."""
CONTEXT_TURNS = 3
CONTEXT_WEIGHT = 0.35
"""How much an earlier turn counts against the latest message (the one before it; older turns
count less by ``CONTEXT_DECAY`` per turn)."""
CONTEXT_DECAY = 0.6
FAQ_LIMIT = 3
ARTICLE_LIMIT = 3
SCRIPT_LIMIT = 3
MIN_FAQ_SCORE = CHOICES_AT
"""Below this combined confidence an FAQ is noise, not a suggestion: the FAQ bot's own bar for
offering an entry as a choice (scores are on :mod:`kefu.assist.faq_answers`' common 0–1 scale,
where greetings and "在吗" still reach 0.15–0.2 against any entry)."""
MIN_SCRIPT_SIMILARITY = 0.12
STAGE_WEIGHT = 1.0
SECOND_STAGE_WEIGHT = 0.6
CANDIDATES = 10

# Words that say the customer is done (CLS-1, CLS-2) or upset (HND-9). Matched as substrings of
# the lower-cased message; short English words as whole words.
CLOSING_CUES = (
    "谢谢", "感谢", "多谢", "没有了", "没有其他", "没别的", "没其他", "就这些", "就这样",
    "再见", "拜拜", "好的明白", "明白了", "知道了", "解决了",
)  # fmt: skip
CLOSING_WORDS = ("thanks", "thank you", "bye", "goodbye", "that's all", "no other", "solved")
UPSET_CUES = (
    "投诉", "生气", "气死", "太差", "差劲", "垃圾", "骗子", "欺骗", "愤怒", "失望", "不满",
    "受不了", "太过分", "过分", "什么态度", "一直没人", "没人管", "!!", "！！", "？？",
)  # fmt: skip
QUESTION = re.compile(
    r"[?？]|吗|怎么|如何|什么|多久|几天|能不能|可不可以|是否|哪里|\b(how|what|when|where|why|can|could)\b"
)
UPSET_WORDS = ("angry", "terrible", "complain", "complaint", "unacceptable", "ridiculous")


@dataclass(frozen=True)
class FaqSuggestion:
    id: int
    question: str
    answer_html: str
    answer_text: str
    score: float
    reason: str
    url: str


@dataclass(frozen=True)
class ArticleSuggestion:
    id: int
    title: str
    snippet: str  # HTML: escaped text with <mark> around matched terms
    score: float
    reason: str
    url: str


@dataclass(frozen=True)
class ScriptSuggestion:
    id: int
    stage: str
    stage_label: str
    title: str
    text: str
    score: float
    reason: str


@dataclass(frozen=True)
class AssistSuggestions:
    text: str
    stage: str
    stage_label: str
    faqs: list[FaqSuggestion] = field(default_factory=list)
    articles: list[ArticleSuggestion] = field(default_factory=list)
    scripts: list[ScriptSuggestion] = field(default_factory=list)


@dataclass(frozen=True)
class Conversation:
    """The customer's side of a ticket or contact: ``turns`` oldest first; ``agent_turns``
    counts the answers given so far; ``channel`` is an FAQ channel or ''."""

    turns: list[str]
    agent_turns: int
    channel: str = ""

    @property
    def latest(self) -> str:
        return self.turns[-1] if self.turns else ""

    @property
    def earlier(self) -> list[str]:
        return self.turns[:-1]


# -- permission and input ---------------------------------------------------------------------


def may_use_agent_assist(user: Any) -> bool:
    """Agents and above with an active account (not department staff or integrations)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user_roles(user) & ASSIST_ROLES
    )


def _require_staff(user: Any) -> None:
    if not may_use_agent_assist(user):
        raise PermissionDenied("agent assist is for agents and the staff above them")


def assist_text_clean(text: str | None) -> str:
    """The customer's message, trimmed; empty or over ``MAX_TEXT`` characters is a 422."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise InvalidInput(_("Give the customer's message."), field="text")
    if len(cleaned) > MAX_TEXT:
        raise InvalidInput(_("At most %(max)s characters.") % {"max": MAX_TEXT}, field="text")
    return cleaned


def assist_channel_clean(channel: str | None) -> str:
    value = (channel or "").strip()
    if value and value not in FaqChannel.values:
        raise InvalidInput(
            _("Must be one of %(values)s.") % {"values": ", ".join(FaqChannel.values)},
            field="channel",
        )
    return value


# -- plain text of an FAQ answer ----------------------------------------------------------------

_LIST_ITEM = re.compile(r"(- |\d+\. )")
_BLOCKS = {"p", "div", "pre", "blockquote", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}


class _PlainText(HTMLParser):
    """Text of sanitized Markdown HTML: paragraphs and list items on their own lines, list
    items with "- " or "1. ", a link's address after its text when they differ."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lists: list[list[int]] = []  # per open list: [ordered (0/1), counter]
        self.href: str | None = None
        self.link_text: list[str] = []
        self.cells = 0  # cells so far in the current table row

    def _newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS or tag in ("ul", "ol"):
            self._newline()
        if tag in ("ul", "ol"):
            self.lists.append([1 if tag == "ol" else 0, 0])
        elif tag == "li":
            self._newline()
            depth = max(len(self.lists) - 1, 0)
            if self.lists and self.lists[-1][0]:
                self.lists[-1][1] += 1
                self.parts.append("  " * depth + f"{self.lists[-1][1]}. ")
            else:
                self.parts.append("  " * depth + "- ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "tr":
            self.cells = 0
        elif tag in ("td", "th"):
            if self.cells:
                self.parts.append(" | ")
            self.cells += 1
        elif tag == "a":
            self.href = dict(attrs).get("href") or None
            self.link_text = []
        elif tag == "img":
            alt = dict(attrs).get("alt") or ""
            if alt:
                self.parts.append(alt)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self._newline()
        elif tag in _BLOCKS or tag == "li":
            self._newline()
        elif tag == "a":
            text = "".join(self.link_text).strip()
            if self.href and self.href not in (text, f"mailto:{text}"):
                self.parts.append(f" ({self.href})")
            self.href = None

    def handle_data(self, data: str) -> None:
        if "\n" in data and not data.strip():
            return  # the line breaks between tags of the rendered HTML
        if self.parts and self.parts[-1].endswith("\n"):
            data = data.lstrip("\n")  # "<br>\n": one line break, not two
        if self.href is not None:
            self.link_text.append(data)
        self.parts.append(data)


def answer_plain_text(markdown: str) -> str:
    """The FAQ answer (Markdown) as plain text for a plain-text composer: rendered and
    sanitized first (so nothing hidden in raw HTML comes through), then the tags dropped."""
    parser = _PlainText()
    parser.feed(render_markdown(markdown))
    parser.close()
    lines: list[str] = []
    for line in "".join(parser.parts).split("\n"):
        words = " ".join(line.split())
        indent = len(line) - len(line.lstrip(" ")) if _LIST_ITEM.match(words) else 0
        lines.append(" " * indent + words)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# -- FAQ answers ------------------------------------------------------------------------------


def _weights(earlier: Sequence[str]) -> list[tuple[str, float]]:
    """The last ``CONTEXT_TURNS`` earlier turns, newest first, with their weights."""
    recent = [turn.strip()[:MAX_TEXT] for turn in earlier if turn and turn.strip()]
    recent = recent[-CONTEXT_TURNS:][::-1]
    return [(turn, CONTEXT_WEIGHT * CONTEXT_DECAY**n) for n, turn in enumerate(recent)]


def _faq_usable(faq: Faq, channel: str) -> bool:
    """Empty channels: everywhere; otherwise the entry must name agent assist or the channel
    the customer wrote on."""
    allowed = set(faq.channels or ())
    return not allowed or FaqChannel.AGENT in allowed or bool(channel and channel in allowed)


def _faq_url(faq: Faq, *, editor: bool) -> str:
    """The entry's edit page for those who edit FAQs; for the others (agents get 403 there)
    the FAQ list searched for its standard question."""
    if editor:
        return reverse("knowledge-faq-edit", args=[faq.pk])
    return f"{reverse('knowledge-faqs')}?{urlencode({'q': faq.question})}"


def _faq_suggestions(
    user: Any, text: str, earlier: Sequence[str], channel: str
) -> list[FaqSuggestion]:
    latest: dict[int, float] = {c.faq_id: c.score for c in faq_matches(text, limit=CANDIDATES)}
    context: dict[int, float] = {}
    for turn, weight in _weights(earlier):
        for candidate in faq_matches(turn, limit=CANDIDATES):
            context[candidate.faq_id] = (
                context.get(candidate.faq_id, 0.0) + weight * candidate.score
            )
    scores = {
        faq_id: latest.get(faq_id, 0.0) + context.get(faq_id, 0.0)
        for faq_id in latest.keys() | context.keys()
    }
    ranked = sorted(
        (pair for pair in scores.items() if pair[1] >= MIN_FAQ_SCORE), key=lambda p: (-p[1], p[0])
    )
    faqs = Faq.objects.filter(pk__in=[faq_id for faq_id, _score in ranked], is_active=True).only(
        "id", "question", "answer", "channels"
    )
    by_id = {faq.pk: faq for faq in faqs}
    editor = may_edit_faqs(user)
    found: list[FaqSuggestion] = []
    for faq_id, score in ranked:
        faq = by_id.get(faq_id)
        if faq is None or not _faq_usable(faq, channel):
            continue
        if latest.get(faq_id, 0.0) > 0 and context.get(faq_id, 0.0) > 0:
            reason = _("Matches the customer's latest message and what they said before")
        elif latest.get(faq_id, 0.0) > 0:
            reason = _("Matches the customer's latest message")
        else:
            reason = _("Matches what the customer said earlier")
        found.append(
            FaqSuggestion(
                id=faq.pk,
                question=faq.question,
                answer_html=render_markdown(faq.answer),
                answer_text=answer_plain_text(faq.answer),
                score=round(score, 4),
                reason=f"{reason} ({score:.0%})",
                url=_faq_url(faq, editor=editor),
            )
        )
        if len(found) >= FAQ_LIMIT:
            break
    return found


# -- articles ---------------------------------------------------------------------------------


def _linked_articles(faqs: Sequence[FaqSuggestion]) -> list[tuple[int, str]]:
    """(article id, FAQ question) for the suggested FAQ entries that link an article, in the
    FAQs' order."""
    links = dict(
        Faq.objects.filter(pk__in=[faq.id for faq in faqs], article__isnull=False).values_list(
            "pk", "article_id"
        )
    )
    return [(links[faq.id], faq.question) for faq in faqs if links.get(faq.id)]


def _article_suggestions(
    user: Any, text: str, earlier: Sequence[str], linked: Sequence[tuple[int, str]] = ()
) -> list[ArticleSuggestion]:
    """Articles linked from the suggested FAQ answers first, then the search's hits for the
    latest message and for the earlier turns; only published articles ``user`` may read."""
    queries = [(text, _("Matches the customer's latest message"))]
    context = " ".join(turn for turn, _weight in _weights(earlier))
    if context:
        queries.append((context, _("Matches what the customer said earlier")))
    hits: dict[int, tuple[Any, str]] = {}
    for query, reason in queries:
        for hit in search(query, kind="article", limit=CANDIDATES):
            hits.setdefault(hit.id, (hit, reason))
    wanted = {article_id for article_id, _question in linked} | hits.keys()
    visible = {
        article.pk: article
        for article in articles_visible_to(user)
        .filter(pk__in=sorted(wanted), published_version__isnull=False)
        .exclude(state=ArticleState.ARCHIVED)
    }
    terms = set(tokenize(text))
    found: list[ArticleSuggestion] = []
    order: list[tuple[int, str]] = [
        (article_id, _("Linked to the FAQ answer “%(question)s”") % {"question": question})
        for article_id, question in linked
    ] + [(article_id, reason) for article_id, (_hit, reason) in hits.items()]
    for article_id, reason in order:
        article = visible.get(article_id)
        if article is None or any(item.id == article_id for item in found):
            continue
        hit = hits.get(article_id, (None, ""))[0]
        version = article.published_version
        assert version is not None
        found.append(
            ArticleSuggestion(
                id=article_id,
                title=hit.title if hit else version.title,
                snippet=hit.snippet if hit else snippet(f"{version.title} {version.body}", terms),
                score=round(hit.score, 4) if hit else 0.0,
                reason=reason,
                url=reverse("knowledge-article", args=[article_id]),
            )
        )
        if len(found) >= ARTICLE_LIMIT:
            break
    return found


# -- conversation stage and scripts -------------------------------------------------------------


def _has_cue(text: str, cues: Iterable[str], words: Iterable[str]) -> bool:
    lower = text.lower()
    if any(cue in lower for cue in cues):
        return True
    return any(re.search(rf"\b{re.escape(word)}\b", lower) for word in words)


def _asks(text: str) -> bool:
    """Whether ``text`` asks something (a question mark or a question word)."""
    return bool(QUESTION.search(text.lower()))


@dataclass(frozen=True)
class StageHint:
    stage: str
    weight: float
    reason: str


def conversation_stage(
    text: str, *, earlier: Sequence[str] = (), agent_turns: int | None = None
) -> list[StageHint]:
    """The stages whose scripts fit now, the most fitting first (SCR-4).

    An upset customer gets empathy first (HND-9); a customer who thanks or says there is
    nothing else is at the closing (CLS-1, CLS-2); before any answer the conversation is at the
    opening (greeting, self-introduction, scope), and after the customer has stated the need
    the agent restates it to confirm (HND-1); otherwise the agent answers, confirming the need
    first."""
    started = agent_turns == 0 if agent_turns is not None else not any(t.strip() for t in earlier)
    hints: list[StageHint] = []
    if _has_cue(text, UPSET_CUES, UPSET_WORDS):
        hints.append(
            StageHint(
                ScriptStage.EMPATHY,
                STAGE_WEIGHT,
                _("The customer sounds upset: empathy first (HND-9)"),
            )
        )
    # "…怎么退款？谢谢" is a question said politely, not a goodbye: only a customer who has
    # been answered and asks nothing more is closing.
    closing = not started and not _asks(text) and _has_cue(text, CLOSING_CUES, CLOSING_WORDS)
    if closing and not hints:
        hints.append(
            StageHint(
                ScriptStage.CLOSING,
                STAGE_WEIGHT,
                _("The customer signals the end: confirm and close (CLS-1, CLS-2)"),
            )
        )
        return hints
    if started:
        hints.append(
            StageHint(
                ScriptStage.OPENING,
                STAGE_WEIGHT if not hints else SECOND_STAGE_WEIGHT,
                _("The conversation has just started: greet and introduce yourself (SCR-4)"),
            )
        )
    hints.append(
        StageHint(
            ScriptStage.NEED_CONFIRMATION,
            SECOND_STAGE_WEIGHT if hints else STAGE_WEIGHT,
            _("Restate the customer's need and confirm it (HND-1, SCR-1)"),
        )
    )
    if not started:
        hints.append(
            StageHint(
                ScriptStage.ANSWER,
                SECOND_STAGE_WEIGHT,
                _("Answer; or refuse with a reason and an alternative (SCR-1)"),
            )
        )
    return hints


def _vector(text: str) -> Counter[str]:
    return Counter(tokenize(text))


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(count * b[token] for token, count in a.items() if token in b)
    if not dot:
        return 0.0
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm


def _script_suggestions(
    user: Any, text: str, earlier: Sequence[str], hints: list[StageHint]
) -> list[ScriptSuggestion]:
    if not user.has_perm("knowledge.view_script"):
        return []
    by_stage = {hint.stage: hint for hint in hints}
    query = _vector(text)
    context = _vector(" ".join(turn for turn, _weight in _weights(earlier)))
    scored: list[tuple[float, Script, str]] = []
    for script in Script.objects.filter(is_active=True).order_by("stage", "title", "id"):
        words = _vector(" ".join([script.title, script.text, script.replaces]))
        similarity = _cosine(query, words) + CONTEXT_WEIGHT * _cosine(context, words)
        hint = by_stage.get(script.stage)
        if hint is None and similarity < MIN_SCRIPT_SIMILARITY:
            continue
        score = (hint.weight if hint else 0.0) + similarity
        if hint is not None and similarity >= MIN_SCRIPT_SIMILARITY:
            reason = f"{hint.reason}; " + _("similar to the customer's words")
        elif hint is not None:
            reason = hint.reason
        else:
            reason = _("Similar to the customer's words")
        scored.append((score, script, reason))
    scored.sort(key=lambda item: (-item[0], item[1].pk))
    return [
        ScriptSuggestion(
            id=script.pk,
            stage=script.stage,
            stage_label=str(ScriptStage(script.stage).label),
            title=script.title,
            text=script.text,
            score=round(score, 4),
            reason=reason,
        )
        for score, script, reason in scored[:SCRIPT_LIMIT]
    ]


# -- the entry point --------------------------------------------------------------------------


def assist_suggestions(
    *,
    user: Any,
    text: str,
    channel: str = "",
    context_texts: Sequence[str] = (),
    agent_turns: int | None = None,
) -> AssistSuggestions:
    """FAQ answers, articles and scripts for the customer's latest message ``text`` (TEC-1).

    ``context_texts`` are the customer's earlier turns, oldest first (weaker evidence);
    ``agent_turns`` how many times an agent has answered so far (None: unknown, then the
    conversation counts as just started when there is no earlier turn). ``channel`` is the FAQ
    channel the customer wrote on (FAQ entries limited to other channels are left out).
    Raises PermissionDenied for anyone but agents and above, InvalidInput on ``text``,
    ``channel`` or ``context``."""
    _require_staff(user)
    text = assist_text_clean(text)
    channel = assist_channel_clean(channel)
    if len(context_texts) > MAX_CONTEXT:
        raise InvalidInput(
            _("At most %(max)s earlier messages.") % {"max": MAX_CONTEXT}, field="context"
        )
    earlier = [turn[:MAX_TEXT] for turn in context_texts if turn and turn.strip()]
    hints = conversation_stage(text, earlier=earlier, agent_turns=agent_turns)
    stage = hints[0].stage
    faqs = _faq_suggestions(user, text, earlier, channel)
    return AssistSuggestions(
        text=text,
        stage=stage,
        stage_label=str(ScriptStage(stage).label),
        faqs=faqs,
        articles=_article_suggestions(user, text, earlier, _linked_articles(faqs)),
        scripts=_script_suggestions(user, text, earlier, hints),
    )


def empty_suggestions() -> AssistSuggestions:
    """Nothing to suggest yet: the customer has said nothing."""
    return AssistSuggestions(
        text="", stage=ScriptStage.OPENING, stage_label=str(ScriptStage.OPENING.label)
    )


# -- conversations of a ticket or a contact -----------------------------------------------------

# Ticket and contact channels that are also FAQ channels (the others use the agent's FAQs).
_FAQ_CHANNELS = {
    "chat": FaqChannel.CHAT,
    "wechat": FaqChannel.WECHAT,
    "sms": FaqChannel.SMS,
    "portal": FaqChannel.PORTAL,
}
TURNS_READ = 10


_QUOTE_HEADER = re.compile(
    r"^\s*(-{2,}\s*(original message|原始邮件|回复的原邮件)|on .+ wrote:|在.+写道[:：]?$|发件人[:：])",
    re.IGNORECASE,
)


def own_words(body: str) -> str:
    """A customer's message without the quoted history of an e-mail reply: lines starting with
    ">" are dropped, and everything from a quote header ("-----原始邮件-----", "On … wrote:")
    on."""
    kept: list[str] = []
    for line in body.splitlines():
        if _QUOTE_HEADER.match(line):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    return "\n".join(kept).strip()


def ticket_conversation(*, user: Any, number: str) -> Conversation:
    """The customer's turns on a ticket ``user`` may see (404 otherwise): the description it was
    opened with, then the customer's messages; the agents' public replies are counted."""
    from kefu.tickets.models import TicketEventKind
    from kefu.tickets.selectors import ticket_get

    _require_staff(user)
    ticket = ticket_get(user=user, number=number)
    events = list(
        ticket.events.filter(kind__in=[TicketEventKind.CUSTOMER_MESSAGE, TicketEventKind.REPLY])
        .order_by("-created_at", "-id")
        .values_list("kind", "body")[: TURNS_READ * 3]
    )
    replies = sum(1 for kind, _body in events if kind == TicketEventKind.REPLY)
    turns = [
        own_words(body)
        for kind, body in reversed(events)
        if kind == TicketEventKind.CUSTOMER_MESSAGE and own_words(body)
    ]
    opening = (ticket.description or "").strip() or (ticket.subject or "").strip()
    if opening and len(turns) < TURNS_READ:
        turns.insert(0, opening)
    return Conversation(
        turns=[turn[-MAX_TEXT:] for turn in turns[-TURNS_READ:]],
        agent_turns=replies,
        channel=_FAQ_CHANNELS.get(ticket.channel, ""),
    )


def contact_conversation(*, user: Any, contact_id: int) -> Conversation:
    """The customer's turns of a contact ``user`` may see (404 otherwise): inbound messages, or
    for a call the customer's transcript segments; the agent's turns are counted."""
    from kefu.channels.models import ContactMessage, ContactSegment, Direction, Speaker
    from kefu.channels.screens.selectors import contact_get

    _require_staff(user)
    contact = contact_get(user=user, contact_id=contact_id)
    rows = list(
        ContactMessage.objects.filter(contact=contact)
        .filter(Q(direction=Direction.INBOUND) | Q(speaker=Speaker.AGENT))
        .order_by("-created_at", "-id")
        .values_list("direction", "speaker", "subject", "body")[: TURNS_READ * 3]
    )
    if rows:
        turns = [
            " ".join(part for part in (subject, own_words(body)) if part.strip())
            for direction, _speaker, subject, body in reversed(rows)
            if direction == Direction.INBOUND and (subject.strip() or own_words(body))
        ]
        answers = sum(1 for direction, speaker, *_rest in rows if direction != Direction.INBOUND)
    else:
        segments = list(
            ContactSegment.objects.filter(
                contact=contact, speaker__in=[Speaker.CUSTOMER, Speaker.AGENT]
            )
            .order_by("-start", "-id")
            .values_list("speaker", "text")[: TURNS_READ * 3]
        )
        turns = [
            text
            for speaker, text in reversed(segments)
            if speaker == Speaker.CUSTOMER and text.strip()
        ]
        answers = sum(1 for speaker, _text in segments if speaker == Speaker.AGENT)
    if not turns and contact.subject.strip():
        turns = [contact.subject]
    return Conversation(
        turns=[turn[-MAX_TEXT:] for turn in turns[-TURNS_READ:]],
        agent_turns=answers,
        channel=_FAQ_CHANNELS.get(contact.kind, ""),
    )


def conversation_suggestions(*, user: Any, conversation: Conversation) -> AssistSuggestions:
    """:func:`assist_suggestions` for the latest customer turn of ``conversation``."""
    if not conversation.latest.strip():
        return empty_suggestions()
    return assist_suggestions(
        user=user,
        text=conversation.latest[-MAX_TEXT:],
        channel=conversation.channel,
        context_texts=conversation.earlier,
        agent_turns=conversation.agent_turns,
    )

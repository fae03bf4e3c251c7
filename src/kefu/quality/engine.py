"""The automatic quality check of one transcript (QA-1, QA-3, SCR-2…5, HND-1, HND-9, CLS-1, CLS-2).

Pure Python, no database: :func:`check_transcript` takes a :class:`Transcript` and a compiled
:class:`RuleSet` and returns ``{"findings", "dimensions", "score"}``. A rule set is compiled
once from plain data (:mod:`kefu.quality.defaults`, later the standard profile) — automata,
regular expressions and example vectors are built then, never per transcript — and the
compiled sets are cached by their content.

Every rule looks at one speaker only: forbidden phrases, required phrases, speech rate, silence
and interruptions at the agent's turns; the emotion detector at the customer's. A customer who
says "我听不懂" or "这不是你们的职责吗" is never an agent violation.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import ahocorasick

from kefu.quality.defaults import DEFAULT_RULES

SPEAKERS = ("agent", "customer", "system")
DIMENSIONS = ("process", "communication", "script", "result")
MAX_SEGMENTS = 5_000
MAX_TEXT = 5_000
MAX_SECONDS = 86_400.0
GAP_MARK = "…"
# How many characters before a forbidden match a rule's negation may stand ("不需要您自己…").
NEGATION_REACH = 4
CLAUSE_BREAKS = ",.!?;:。、~…\n\r\t"
# A required phrase may span the commas of one sentence ("您是想查询退款，对吗").
SENTENCE_BREAKS = ".!?;。…\n\r"
_CLAUSE = re.compile(f"[^{re.escape(CLAUSE_BREAKS)}]+")
_EXCLAMATION = re.compile(r"!+")
# What a speech rate does not count: punctuation, spaces, symbols (SCR-3).
_NOT_COUNTED = re.compile(r"[\W_]")

# Full-width ASCII (！，Ａ１) to half-width and capitals to lower case, one character for one,
# so that offsets into the normalised text are offsets into the original.
_NORMALISE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_NORMALISE[0x3000] = 0x20
_NORMALISE.update({code: code + 32 for code in range(ord("A"), ord("Z") + 1)})
_NORMALISE.update({code: code + 32 - 0xFEE0 for code in range(0xFF21, 0xFF3B)})


def normalise(text: str) -> str:
    """Half-width, lower-case text of the same length as ``text``."""
    return text.translate(_NORMALISE)


class TranscriptError(ValueError):
    """A transcript that is not JSON of the documented shape; ``field`` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


class RuleSetError(ValueError):
    """Rule data that cannot be compiled; ``path`` names the bad entry (``forbidden.0.gaps``)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


@dataclass(frozen=True, slots=True)
class Segment:
    speaker: str
    text: str
    start: float | None = None
    end: float | None = None

    @property
    def timed(self) -> bool:
        return self.start is not None and self.end is not None


@dataclass(frozen=True, slots=True)
class Transcript:
    channel: str
    language: str
    segments: tuple[Segment, ...]


def _seconds(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TranscriptError(where, "must be a number of seconds")
    if not 0 <= value <= MAX_SECONDS:
        raise TranscriptError(where, f"must be between 0 and {MAX_SECONDS:g}")
    return float(value)


def transcript_from_data(data: Any) -> Transcript:
    """Check and convert ``{"channel", "language", "segments": [...]}``; raise TranscriptError."""
    if not isinstance(data, dict):
        raise TranscriptError("", "a transcript must be a JSON object")
    channel = data.get("channel")
    if not isinstance(channel, str) or not channel or len(channel) > 32:
        raise TranscriptError("channel", "must be a non-empty string (call, chat, e-mail …)")
    language = data.get("language", "zh")
    if not isinstance(language, str) or len(language) > 16:
        raise TranscriptError("language", "must be a language code such as zh")
    raw_segments = data.get("segments")
    if not isinstance(raw_segments, list):
        raise TranscriptError("segments", "must be a list of segments")
    if len(raw_segments) > MAX_SEGMENTS:
        raise TranscriptError("segments", f"at most {MAX_SEGMENTS} segments")
    segments = []
    for index, raw in enumerate(raw_segments):
        where = f"segments.{index}"
        if not isinstance(raw, dict):
            raise TranscriptError(where, "must be an object")
        speaker = raw.get("speaker")
        if speaker not in SPEAKERS:
            raise TranscriptError(f"{where}.speaker", "must be agent, customer or system")
        text = raw.get("text")
        if not isinstance(text, str):
            raise TranscriptError(f"{where}.text", "must be a string")
        if len(text) > MAX_TEXT:
            raise TranscriptError(f"{where}.text", f"at most {MAX_TEXT} characters")
        start = _seconds(raw.get("start"), f"{where}.start")
        end = _seconds(raw.get("end"), f"{where}.end")
        if start is not None and end is not None and end < start:
            raise TranscriptError(f"{where}.end", "must not be before start")
        segments.append(Segment(speaker=speaker, text=text, start=start, end=end))
    return Transcript(channel=channel, language=language, segments=tuple(segments))


# --- rule data -------------------------------------------------------------------------------


def _get(data: Mapping[str, Any], key: str, path: str, kind: type | tuple[type, ...]) -> Any:
    if key not in data:
        raise RuleSetError(f"{path}.{key}".lstrip("."), "is missing")
    value = data[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
        raise RuleSetError(f"{path}.{key}".lstrip("."), "has the wrong type")
    return value


def _texts(data: Mapping[str, Any], key: str, path: str) -> list[str]:
    value = data.get(key, [])
    where = f"{path}.{key}".lstrip(".")
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise RuleSetError(where, "must be a list of non-empty strings")
    return [normalise(item) for item in value]


# In a forbidden phrase or gap pattern the polite "您" also stands for the plain "你": what is a
# violation said politely is one said bluntly too (the reverse is not true: "你再说一遍" is
# blunt, "麻烦您再说一遍" is not).
POLITE_YOU = "您"
PLAIN_YOU = "你"


def _you_variants(phrase: str) -> list[str]:
    return [phrase, phrase.replace(POLITE_YOU, PLAIN_YOU)] if POLITE_YOU in phrase else [phrase]


def _escape(text: str, either_you: bool) -> str:
    escaped = re.escape(text)
    return escaped.replace(POLITE_YOU, f"[{POLITE_YOU}{PLAIN_YOU}]") if either_you else escaped


def _gap_pattern(
    pattern: str, max_gap: int, where: str, breaks: str, either_you: bool = False
) -> str:
    parts = pattern.split(GAP_MARK)
    if len(parts) < 2 or not all(parts):
        raise RuleSetError(where, f"{pattern!r}: a gap pattern is text…text")
    gap = f"[^{re.escape(breaks)}]{{0,{max_gap}}}?"
    return gap.join(_escape(part, either_you) for part in parts)


# Modal particles and "的"/"了" carry tone, not meaning: the similarity stage leaves them out,
# so that "这个不归我们管的呀" is as close to "这个不归我们管" as can be. As in phrases, a "您" in
# an example also stands for "你" in the clause (not the other way round).
_SIMILARITY_DROP = "的了吧啊呀呢吗嘛哦啦哈么"
_NOT_COMPARED = re.compile(f"[\\W_{_SIMILARITY_DROP}]")


def _bigrams(text: str) -> frozenset[str]:
    letters = _NOT_COMPARED.sub("", text)
    return frozenset(letters[i : i + 2] for i in range(len(letters) - 1))


def _alternation(
    phrases: Sequence[str],
    gaps: Sequence[str],
    max_gap: int,
    where: str,
    breaks: str = CLAUSE_BREAKS,
    either_you: bool = False,
) -> re.Pattern[str] | None:
    alternatives = [re.escape(phrase) for phrase in sorted(phrases, key=len, reverse=True)]
    alternatives += [_gap_pattern(gap, max_gap, where, breaks, either_you) for gap in gaps]
    return re.compile("|".join(alternatives)) if alternatives else None


@dataclass(frozen=True, slots=True)
class PhraseRule:
    """A forbidden-phrase rule (SCR-2): category, replacement and how it is recognised."""

    key: str
    standard: str
    category: str
    suggestion: str
    gaps: re.Pattern[str] | None
    standalone: frozenset[str]
    examples: tuple[str, ...]
    similarity: float
    # A phrase or gap match right after one of these ("不需要您自己去联系") is no violation.
    negations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RequiredRule:
    """A phrase the agent must say in a stage of the contact (SCR-4, HND-1, CLS-1, CLS-2)."""

    key: str
    standard: str
    category: str
    stage: str
    suggestion: str
    pattern: re.Pattern[str]
    channels: frozenset[str]


@dataclass(slots=True)
class RuleSet:
    """A compiled rule set; build it with :meth:`from_data` (or :func:`rule_set_from_data`)."""

    version: Any
    forbidden: tuple[PhraseRule, ...]
    automaton: Any
    # bigram -> [(rule index, example index)] for the similarity stage.
    example_index: dict[str, list[tuple[int, int]]]
    example_sizes: list[list[int]]
    required: tuple[RequiredRule, ...]
    opening_turns: int
    closing_turns: int
    empathy: dict[str, Any]
    emotion_words: re.Pattern[str] | None
    negations: tuple[str, ...]
    empathy_phrases: re.Pattern[str] | None
    speech_rate: dict[str, Any]
    silence: dict[str, Any]
    hold_phrases: re.Pattern[str] | None
    interruption: dict[str, Any]
    dimension_of: dict[str, str]
    deductions: dict[str, float]
    default_deduction: float
    weights: dict[str, float]
    categories: list[str] = field(default_factory=list)
    # (category, stage) -> how many required rules share it (parts of one requirement, CLS-1).
    required_parts: dict[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> RuleSet:
        if not isinstance(data, Mapping):
            raise RuleSetError("", "a rule set is an object")
        max_gap = _get(data, "max_gap", "", int)
        if not 0 <= max_gap <= 50:
            raise RuleSetError("max_gap", "must be between 0 and 50")
        forbidden: list[PhraseRule] = []
        automaton = ahocorasick.Automaton()
        example_index: dict[str, list[tuple[int, int]]] = {}
        example_sizes: list[list[int]] = []
        categories: list[str] = []
        for number, raw in enumerate(_get(data, "forbidden", "", list)):
            path = f"forbidden.{number}"
            if not isinstance(raw, Mapping):
                raise RuleSetError(path, "must be an object")
            similarity = float(raw.get("similarity", 0.6))
            if not 0 < similarity <= 1:
                raise RuleSetError(f"{path}.similarity", "must be above 0 and at most 1")
            examples = tuple(_texts(raw, "examples", path))
            rule = PhraseRule(
                key=_get(raw, "key", path, str),
                standard=_get(raw, "standard", path, str),
                category=_get(raw, "category", path, str),
                suggestion=_get(raw, "suggestion", path, str),
                gaps=_alternation(
                    [], _texts(raw, "gaps", path), max_gap, f"{path}.gaps", either_you=True
                ),
                standalone=frozenset(_texts(raw, "standalone", path)),
                examples=examples,
                similarity=similarity,
                negations=tuple(_texts(raw, "negations", path)),
            )
            for written in _texts(raw, "phrases", path):
                for phrase in _you_variants(written):
                    existing = automaton.get(phrase, None)
                    if existing is None:
                        automaton.add_word(phrase, (phrase, [number]))
                    elif number not in existing[1]:
                        existing[1].append(number)
            sizes = []
            for example_number, example in enumerate(examples):
                grams = _bigrams(example)
                sizes.append(len(grams))
                for gram in grams:
                    example_index.setdefault(gram, []).append((number, example_number))
            example_sizes.append(sizes)
            forbidden.append(rule)
            categories.append(rule.category)
        if len(automaton):
            automaton.make_automaton()
        else:
            automaton = None

        required = []
        for number, raw in enumerate(_get(data, "required", "", list)):
            path = f"required.{number}"
            if not isinstance(raw, Mapping):
                raise RuleSetError(path, "must be an object")
            stage = _get(raw, "stage", path, str)
            if stage not in ("opening", "closing", "any"):
                raise RuleSetError(f"{path}.stage", "must be opening, closing or any")
            pattern = _alternation(
                _texts(raw, "phrases", path),
                _texts(raw, "gaps", path),
                max_gap,
                f"{path}.gaps",
                SENTENCE_BREAKS,
            )
            if pattern is None:
                raise RuleSetError(f"{path}.phrases", "a required rule needs phrases or gaps")
            channels = raw.get("channels", [])
            if not isinstance(channels, list):
                raise RuleSetError(f"{path}.channels", "must be a list of channels")
            required.append(
                RequiredRule(
                    key=_get(raw, "key", path, str),
                    standard=_get(raw, "standard", path, str),
                    category=_get(raw, "category", path, str),
                    stage=stage,
                    suggestion=_get(raw, "suggestion", path, str),
                    pattern=pattern,
                    channels=frozenset(channels),
                )
            )
            categories.append(required[-1].category)

        stages = _get(data, "stages", "", Mapping)
        empathy = dict(_get(data, "empathy", "", Mapping))
        speech_rate = dict(_get(data, "speech_rate", "", Mapping))
        silence = dict(_get(data, "silence", "", Mapping))
        interruption = dict(_get(data, "interruption", "", Mapping))
        for name, block, keys in (
            ("empathy", empathy, ("exclamation_ratio",)),
            ("speech_rate", speech_rate, ("min_cpm", "max_cpm", "min_seconds", "min_chars")),
            ("silence", silence, ("max_seconds", "max_hold_seconds")),
            ("interruption", interruption, ("min_overlap_seconds",)),
        ):
            for key in ("standard", "category", "suggestion"):
                _get(block, key, name, str)
            for key in keys:
                value = _get(block, key, name, (int, float))
                if value < 0:
                    raise RuleSetError(f"{name}.{key}", "must not be negative")
            categories.append(block["category"])
            block["channels"] = frozenset(block.get("channels", []))
        if speech_rate["min_cpm"] > speech_rate["max_cpm"]:
            raise RuleSetError("speech_rate.min_cpm", "must not exceed max_cpm")
        categories.append(_get(silence, "hold_category", "silence", str))

        scoring = _get(data, "scoring", "", Mapping)
        dimension_of: dict[str, str] = {}
        for dimension, members in _get(scoring, "dimensions", "scoring", Mapping).items():
            if dimension not in DIMENSIONS:
                raise RuleSetError(
                    f"scoring.dimensions.{dimension}", f"must be one of {', '.join(DIMENSIONS)}"
                )
            for category in members:
                dimension_of[category] = dimension
        for category in categories:
            if category not in dimension_of:
                raise RuleSetError("scoring.dimensions", f"category {category!r} has no dimension")
        weights = {
            key: float(value) for key, value in _get(scoring, "weights", "scoring", Mapping).items()
        }
        if (
            set(weights) != set(DIMENSIONS)
            or any(w < 0 for w in weights.values())
            or not sum(weights.values())
        ):
            raise RuleSetError(
                "scoring.weights", "one non-negative weight per dimension, not all zero"
            )

        return cls(
            version=data.get("version"),
            forbidden=tuple(forbidden),
            automaton=automaton,
            example_index=example_index,
            example_sizes=example_sizes,
            required=tuple(required),
            opening_turns=int(_get(stages, "opening_turns", "stages", int)),
            closing_turns=int(_get(stages, "closing_turns", "stages", int)),
            empathy=empathy,
            emotion_words=_alternation(
                _texts(empathy, "emotion_words", "empathy"), [], 0, "empathy"
            ),
            negations=tuple(_texts(empathy, "negations", "empathy")),
            empathy_phrases=_alternation(_texts(empathy, "phrases", "empathy"), [], 0, "empathy"),
            speech_rate=speech_rate,
            silence=silence,
            hold_phrases=_alternation(_texts(silence, "hold_phrases", "silence"), [], 0, "silence"),
            interruption=interruption,
            dimension_of=dimension_of,
            deductions={key: float(value) for key, value in scoring.get("deductions", {}).items()},
            default_deduction=float(scoring.get("default_deduction", 10)),
            weights=weights,
            categories=list(dict.fromkeys(categories)),
            required_parts=dict(Counter((rule.category, rule.stage) for rule in required)),
        )


@lru_cache(maxsize=32)
def _compiled(canonical: str) -> RuleSet:
    return RuleSet.from_data(json.loads(canonical))


def rule_set_from_data(data: Mapping[str, Any]) -> RuleSet:
    """The compiled rule set of ``data``, compiled once per distinct content."""
    return _compiled(json.dumps(data, sort_keys=True, ensure_ascii=False))


def default_rule_set() -> RuleSet:
    """The DEFAULT profile's rules (:mod:`kefu.quality.defaults`)."""
    return rule_set_from_data(DEFAULT_RULES)


# --- checks ----------------------------------------------------------------------------------


def _finding(
    standard: str,
    category: str,
    segment: int | None,
    evidence: str,
    suggestion: str,
    *,
    rule: str,
    span: tuple[int, int] | None = None,
    **detail: Any,
) -> dict[str, Any]:
    return {
        "standard": standard,
        "category": category,
        "segment": segment,
        "evidence": evidence,
        "suggestion": suggestion,
        "rule": rule,
        "span": list(span) if span else None,
        "detail": detail,
    }


def _clauses(text: str) -> Iterator[re.Match[str]]:
    return _CLAUSE.finditer(text)


def _forbidden_in(rules: RuleSet, index: int, original: str, text: str) -> list[dict[str, Any]]:
    """At most one finding per forbidden rule in one agent turn: exact, else gap, else similar."""
    hits: dict[int, dict[str, Any]] = {}

    def hit(number: int, start: int, end: int, how: str, **detail: Any) -> None:
        if number in hits:
            return
        rule = rules.forbidden[number]
        hits[number] = _finding(
            rule.standard,
            rule.category,
            index,
            original[start:end],
            rule.suggestion,
            rule=rule.key,
            span=(start, end),
            match=how,
            **detail,
        )

    def negated(rule: PhraseRule, start: int) -> bool:
        if not rule.negations:
            return False
        before = text[max(0, start - NEGATION_REACH) : start]
        return any(negation in before for negation in rule.negations)

    if rules.automaton is not None:
        for last, (phrase, numbers) in rules.automaton.iter(text):
            start = last - len(phrase) + 1
            for number in numbers:
                if not negated(rules.forbidden[number], start):
                    hit(number, start, last + 1, "exact")
    for number, rule in enumerate(rules.forbidden):
        if number in hits or rule.gaps is None:
            continue
        for found in rule.gaps.finditer(text):
            if not negated(rule, found.start()):
                hit(number, found.start(), found.end(), "gap")
                break
    clauses = list(_clauses(text))
    for clause in clauses:
        stripped = clause.group().strip()
        for number, rule in enumerate(rules.forbidden):
            if number not in hits and stripped in rule.standalone:
                offset = clause.start() + clause.group().index(stripped)
                hit(number, offset, offset + len(stripped), "standalone")
    if rules.example_index and len(hits) < len(rules.forbidden):
        for clause in clauses:
            grams = _bigrams(clause.group())
            if len(grams) < 3:
                continue
            shared: dict[tuple[int, int], int] = {}
            for gram in grams:
                keys: Iterable[tuple[int, int]] = rules.example_index.get(gram, ())
                if PLAIN_YOU in gram:
                    polite = rules.example_index.get(gram.replace(PLAIN_YOU, POLITE_YOU), ())
                    keys = set(keys).union(polite) if keys and polite else keys or polite
                for key in keys:
                    shared[key] = shared.get(key, 0) + 1
            best: dict[int, tuple[float, int]] = {}
            text_of_clause = clause.group()
            for (number, example), count in shared.items():
                if number in hits:
                    continue
                rule = rules.forbidden[number]
                if any(
                    negation in text_of_clause and negation not in rule.examples[example]
                    for negation in rule.negations
                ):
                    continue
                cosine = count / math.sqrt(len(grams) * rules.example_sizes[number][example])
                if (
                    cosine >= rules.forbidden[number].similarity
                    and cosine > best.get(number, (0.0, 0))[0]
                ):
                    best[number] = (cosine, example)
            for number, (cosine, example) in best.items():
                hit(
                    number,
                    clause.start(),
                    clause.end(),
                    "similar",
                    similar_to=rules.forbidden[number].examples[example],
                    similarity=round(cosine, 3),
                )
    return list(hits.values())


def emotion_trigger(text: str, rules: RuleSet | None = None) -> str | None:
    """The words that make a customer turn emotional (HND-9), or None when it is calm.

    A turn is emotional when it holds a word of the lexicon not negated right before it
    ("我不生气" is calm), or when enough of its clauses end in an exclamation mark.
    """
    rules = rules or default_rule_set()
    text = normalise(text)
    if rules.emotion_words is not None:
        for found in rules.emotion_words.finditer(text):
            before = text[max(0, found.start() - 2) : found.start()]
            if not any(before.endswith(negation) for negation in rules.negations):
                return found.group()
    exclamations = len(_EXCLAMATION.findall(text))
    if exclamations >= 2:
        clauses = sum(1 for _ in _clauses(text)) or 1
        if exclamations / clauses >= float(rules.empathy["exclamation_ratio"]):
            return "!" * exclamations
    return None


def _letters(text: str) -> int:
    """Han characters, letters and digits: what a speech rate counts (SCR-3), not punctuation."""
    return len(_NOT_COUNTED.sub("", text))


def characters_per_minute(segment: Segment) -> float | None:
    """The speech rate of a timed segment, or None without timing or duration."""
    if segment.start is None or segment.end is None or segment.end <= segment.start:
        return None
    return _letters(segment.text) * 60.0 / (segment.end - segment.start)


def _applies(block: Mapping[str, Any], channel: str) -> bool:
    return bool(block.get("enabled", True)) and (
        not block["channels"] or channel in block["channels"]
    )


def check_transcript(transcript: Transcript, rules: RuleSet | None = None) -> dict[str, Any]:
    """Findings, the four QA-1 dimensions and the score of one transcript."""
    rules = rules or default_rule_set()
    segments = transcript.segments
    texts = [normalise(segment.text) for segment in segments]
    agent = [i for i, segment in enumerate(segments) if segment.speaker == "agent"]
    customer = [i for i, segment in enumerate(segments) if segment.speaker == "customer"]
    findings: list[dict[str, Any]] = []

    # Forbidden phrases (SCR-2): agent turns only.
    for i in agent:
        findings.extend(_forbidden_in(rules, i, segments[i].text, texts[i]))

    # Required phrases by stage (SCR-4, HND-1, CLS-1, CLS-2). Rules that share a category and a
    # stage (the three confirmations of CLS-1) are parts of one requirement: at most one finding
    # per (category, stage), whose ``detail.missing`` lists the parts not said, so a contact
    # loses the category's deduction once and is counted once in insights.
    if agent:
        opening = agent[: rules.opening_turns]
        closing = agent[-rules.closing_turns :] if rules.closing_turns else []
        missing: dict[tuple[str, str], list[RequiredRule]] = {}
        places: dict[tuple[str, str], int | None] = {}
        for required in rules.required:
            if required.channels and transcript.channel not in required.channels:
                continue
            if required.stage == "opening":
                turns, at = opening, opening[0] if opening else None
            elif required.stage == "closing":
                turns, at = closing, closing[-1] if closing else None
            else:
                if not customer:
                    continue
                turns, at = agent, None
            if not any(required.pattern.search(texts[i]) for i in turns):
                group = (required.category, required.stage)
                missing.setdefault(group, []).append(required)
                places[group] = at
        for group, parts in missing.items():
            at, first = places[group], parts[0]
            detail: dict[str, Any] = (
                {"missing": [part.key for part in parts]}
                if rules.required_parts.get(group, 1) > 1
                else {}
            )
            findings.append(
                _finding(
                    first.standard,
                    first.category,
                    at,
                    segments[at].text if at is not None else "",
                    "".join(part.suggestion for part in parts),
                    rule=first.key,
                    **detail,
                )
            )

    # Empathy after an emotional customer turn (HND-9): the agent's next turn (its segments up
    # to the customer's next one) must hold an empathy phrase.
    empathy = rules.empathy
    pending: tuple[int, str] | None = None
    reply: list[int] = []

    def settle() -> None:
        if pending is None or not reply:
            return
        if rules.empathy_phrases is not None and any(
            rules.empathy_phrases.search(texts[i]) for i in reply
        ):
            return
        trigger_at, trigger = pending
        findings.append(
            _finding(
                empathy["standard"],
                empathy["category"],
                reply[0],
                segments[reply[0]].text,
                empathy["suggestion"],
                rule="empathy",
                customer_segment=trigger_at,
                emotion=trigger,
            )
        )

    for i, segment in enumerate(segments):
        if segment.speaker == "customer":
            if reply:
                settle()
                pending, reply = None, []
            trigger = emotion_trigger(segment.text, rules)
            if trigger is not None and pending is None:
                pending = (i, trigger)
        elif segment.speaker == "agent" and pending is not None:
            reply.append(i)
    settle()

    # Speech rate (SCR-3) on timed agent segments.
    rate = rules.speech_rate
    if _applies(rate, transcript.channel):
        for i in agent:
            segment = segments[i]
            cpm = characters_per_minute(segment)
            if cpm is None or segment.end - segment.start < rate["min_seconds"]:  # type: ignore[operator]
                continue
            if _letters(segment.text) < rate["min_chars"]:
                continue
            if not rate["min_cpm"] <= cpm <= rate["max_cpm"]:
                findings.append(
                    _finding(
                        rate["standard"],
                        rate["category"],
                        i,
                        segment.text,
                        rate["suggestion"],
                        rule="speech_rate",
                        cpm=round(cpm, 1),
                        min_cpm=rate["min_cpm"],
                        max_cpm=rate["max_cpm"],
                    )
                )

    # Long silence / hold before an agent segment, and the agent talking over the customer.
    silence = rules.silence
    if _applies(silence, transcript.channel):
        for i in range(1, len(segments)):
            previous, current = segments[i - 1], segments[i]
            if current.speaker != "agent" or previous.end is None or current.start is None:
                continue
            gap = current.start - previous.end
            held = (
                previous.speaker == "agent"
                and rules.hold_phrases is not None
                and bool(rules.hold_phrases.search(texts[i - 1]))
            )
            limit = silence["max_hold_seconds"] if held else silence["max_seconds"]
            if gap > limit:
                findings.append(
                    _finding(
                        silence["standard"],
                        silence["hold_category"] if held else silence["category"],
                        i,
                        current.text,
                        silence["hold_suggestion"] if held else silence["suggestion"],
                        rule="silence",
                        seconds=round(gap, 1),
                        limit=limit,
                    )
                )
    overlap_rule = rules.interruption
    if _applies(overlap_rule, transcript.channel):
        last_customer: Segment | None = None
        for i, segment in enumerate(segments):
            if segment.speaker == "customer":
                last_customer = segment
                continue
            if segment.speaker != "agent" or last_customer is None or not segment.timed:
                continue
            if not last_customer.timed or segment.start <= last_customer.start:  # type: ignore[operator]
                continue
            overlap = min(last_customer.end, segment.end) - segment.start  # type: ignore[type-var, operator]
            if overlap >= overlap_rule["min_overlap_seconds"]:
                findings.append(
                    _finding(
                        overlap_rule["standard"],
                        overlap_rule["category"],
                        i,
                        segment.text,
                        overlap_rule["suggestion"],
                        rule="interruption",
                        overlap_seconds=round(overlap, 1),
                    )
                )

    findings.sort(key=lambda item: (item["segment"] is None, item["segment"] or 0))
    dimensions, score = score_findings(findings, rules)
    return {"findings": findings, "dimensions": dimensions, "score": score}


def _number(value: float) -> float | int:
    value = round(value, 1)
    return int(value) if value.is_integer() else value


def score_findings(
    findings: Sequence[Mapping[str, Any]], rules: RuleSet | None = None
) -> tuple[dict[str, float | int], float | int]:
    """QA-1: each dimension starts at 100 and loses its categories' deductions (floor 0); the
    score is the weighted mean of the four dimensions (equal weights by default)."""
    rules = rules or default_rule_set()
    lost = dict.fromkeys(DIMENSIONS, 0.0)
    for finding in findings:
        category = finding["category"]
        dimension = rules.dimension_of.get(category, "process")
        lost[dimension] += rules.deductions.get(category, rules.default_deduction)
    dimensions = {name: max(0.0, 100.0 - lost[name]) for name in DIMENSIONS}
    total = sum(rules.weights[name] * dimensions[name] for name in DIMENSIONS) / sum(
        rules.weights.values()
    )
    return {name: _number(value) for name, value in dimensions.items()}, _number(total)


def check(data: Any, rules: RuleSet | None = None) -> dict[str, Any]:
    """Check a transcript given as parsed JSON; raise TranscriptError on a bad shape."""
    return check_transcript(transcript_from_data(data), rules)


def check_draft(text: str, rules: RuleSet | None = None) -> list[dict[str, Any]]:
    """SCR-2 forbidden phrases in an agent's draft reply, checked as one agent segment before it
    is sent ("while typing"); the findings are in text order and their spans index ``text``."""
    rules = rules or default_rule_set()
    findings = _forbidden_in(rules, 0, text, normalise(text))
    findings.sort(key=lambda item: tuple(item["span"]))
    return findings

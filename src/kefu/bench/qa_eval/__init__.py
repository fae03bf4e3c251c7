"""The labelled evaluation set for automatic quality inspection (issue 7 item 8; QA-3, SCR-2).

Chinese customer-service transcripts, phone and chat, one JSON object per line in the
``*.jsonl`` files of this package. Each transcript has the shape that ``kefu qa check`` reads
(``channel``, ``language``, ``segments``) plus an ``id``, a ``kind`` and the expected
``labels``. See README.md in this folder for the kinds, the categories and the conventions.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

CATEGORIES = frozenset(
    {
        "shirking",
        "vague_promise",
        "doubting_customer",
        "blunt",
        "impatience",
        "missing_greeting",
        "missing_restatement",
        "missing_satisfaction_check",
        "missing_closing",
        "no_empathy",
        "speech_rate",
    }
)
KINDS = frozenset({"clean", "verbatim", "paraphrase", "customer_says_it", "mixed"})
CHANNELS = frozenset({"phone", "chat"})
SPEAKERS = frozenset({"agent", "customer"})
# Kinds whose transcripts must produce zero findings.
CLEAN_KINDS = frozenset({"clean", "customer_says_it"})
# Default speech-rate band (SCR-3), characters per minute.
RATE_BAND = (120.0, 240.0)


def count_chars(text: str) -> int:
    """Characters that count for the speech rate (SCR-3): Han characters, letters and digits,
    not punctuation or spaces."""
    return sum(1 for ch in text if ch.isalpha() or ch.isdigit())


def segment_rate(segment: dict[str, Any]) -> float:
    """Characters per minute of one timed segment."""
    duration = float(segment["end"]) - float(segment["start"])
    if duration <= 0:
        return float("inf")
    return count_chars(segment["text"]) / duration * 60.0


def validate_transcript(item: dict[str, Any]) -> list[str]:
    """Problems with one labelled transcript; an empty list means it is well formed."""
    problems: list[str] = []
    ident = item.get("id", "?")
    if not isinstance(item.get("id"), str) or not item["id"]:
        problems.append(f"{ident}: id missing")
    if item.get("channel") not in CHANNELS:
        problems.append(f"{ident}: bad channel {item.get('channel')!r}")
    if item.get("language") != "zh":
        problems.append(f"{ident}: language must be zh")
    if item.get("kind") not in KINDS:
        problems.append(f"{ident}: bad kind {item.get('kind')!r}")
    segments = item.get("segments")
    if not isinstance(segments, list) or not segments:
        return [*problems, f"{ident}: no segments"]
    previous_end = 0.0
    for index, segment in enumerate(segments):
        if segment.get("speaker") not in SPEAKERS:
            problems.append(f"{ident}[{index}]: bad speaker")
        if not isinstance(segment.get("text"), str) or not segment["text"].strip():
            problems.append(f"{ident}[{index}]: empty text")
        start, end = segment.get("start"), segment.get("end")
        if not isinstance(start, int | float) or not isinstance(end, int | float):
            problems.append(f"{ident}[{index}]: start/end must be numbers")
            continue
        if not (previous_end <= start < end):
            problems.append(f"{ident}[{index}]: times out of order")
        previous_end = end
    labels = item.get("labels")
    if not isinstance(labels, list):
        return [*problems, f"{ident}: labels must be a list"]
    for label in labels:
        if label.get("category") not in CATEGORIES:
            problems.append(f"{ident}: unknown category {label.get('category')!r}")
        index = label.get("segment")
        if index is not None and not (isinstance(index, int) and 0 <= index < len(segments)):
            problems.append(f"{ident}: label segment {index!r} out of range")
        elif index is not None and segments[index].get("speaker") != "agent":
            problems.append(f"{ident}: label on a customer segment {index}")
    if item.get("kind") in CLEAN_KINDS and labels:
        problems.append(f"{ident}: a {item.get('kind')} transcript carries labels")
    return problems


def load_eval_set() -> list[dict[str, Any]]:
    """Every transcript shipped in this package, in file order (chat.jsonl, phone.jsonl, …)."""
    items: list[dict[str, Any]] = []
    files = sorted(
        (entry for entry in resources.files(__name__).iterdir() if entry.name.endswith(".jsonl")),
        key=lambda entry: entry.name,
    )
    for entry in files:
        for line_no, line in enumerate(entry.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{entry.name}:{line_no}: {exc}") from exc
    return items

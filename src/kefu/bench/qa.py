"""``kefu bench qa``: how right and how fast the automatic quality inspection is (QA-3, SCR-2).

Accuracy on the labelled evaluation set (``kefu.bench.qa_eval``, transcripts written for this
project): a finding of a phrase category, of ``no_empathy`` or of ``speech_rate`` is right when a
label of the same category names the same segment; a ``missing_*`` finding is right when the
transcript carries a label of that category (where the stage "should have been" is a matter of
judgement, whether it is missing is not). A finding is one unit (a category in a segment, a
``missing_*`` category in a transcript); a second finding of the same unit is a false positive,
so an engine that reports one violation twice (and deducts twice) loses precision.

The set is split by the number in each id: even ids are the ``dev`` half the rules may be tuned
on, odd ids the ``held_out`` half nobody looked at while tuning. Figures are given for all, per
half, per category and per kind (recall on verbatim and on paraphrased violations; findings on
the transcripts that must have none).

Speed: ``transcripts_per_s`` checks 30-turn transcripts (agent and customer turns taken from the
set, timed) with the full default rule set, one after another in one process.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from kefu.bench.qa_eval import CATEGORIES, CLEAN_KINDS, load_eval_set
from kefu.quality.engine import check, default_rule_set

POSITIONAL = frozenset(
    {
        "shirking",
        "vague_promise",
        "doubting_customer",
        "blunt",
        "impatience",
        "no_empathy",
        "speech_rate",
    }
)


def _unit(category: str, segment: Any) -> tuple[str, Any]:
    return (category, segment if category in POSITIONAL else None)


def _half(ident: str) -> str:
    number = int(ident.rsplit("-", 1)[1])
    return "dev" if number % 2 == 0 else "held_out"


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


class _Tally:
    def __init__(self) -> None:
        self.true_positive: Counter[str] = Counter()
        self.false_positive: Counter[str] = Counter()
        self.false_negative: Counter[str] = Counter()

    def add(self, expected: set[tuple[str, Any]], reported: Iterable[tuple[str, Any]]) -> None:
        """Score one transcript: ``reported`` holds one unit per finding, repeats included."""
        counts = Counter(reported)
        found = set(counts)
        for category, _segment in found & expected:
            self.true_positive[category] += 1
        for category, _segment in found - expected:
            self.false_positive[category] += 1
        for category, _segment in expected - found:
            self.false_negative[category] += 1
        for (category, _segment), times in counts.items():
            if times > 1:
                self.false_positive[category] += times - 1

    def summary(self) -> dict[str, Any]:
        tp, fp, fn = (
            sum(self.true_positive.values()),
            sum(self.false_positive.values()),
            sum(self.false_negative.values()),
        )
        return {"precision": _ratio(tp, tp + fp), "recall": _ratio(tp, tp + fn), "tp": tp}

    def per_category(self) -> dict[str, dict[str, Any]]:
        result = {}
        for category in sorted(CATEGORIES):
            tp = self.true_positive[category]
            fp, fn = self.false_positive[category], self.false_negative[category]
            result[category] = {
                "precision": _ratio(tp, tp + fp),
                "recall": _ratio(tp, tp + fn),
                "tp": tp,
                "fp": fp,
                "fn": fn,
            }
        return result


def measure_accuracy(items: list[dict[str, Any]]) -> dict[str, Any]:
    rules = default_rule_set()
    overall = _Tally()
    by_half: dict[str, _Tally] = defaultdict(_Tally)
    by_kind: dict[str, _Tally] = defaultdict(_Tally)
    clean_with_findings: list[str] = []
    for item in items:
        expected = {_unit(label["category"], label["segment"]) for label in item["labels"]}
        result = check(
            {k: item[k] for k in ("channel", "language", "segments")},
            rules,
        )
        found = [_unit(f["category"], f["segment"]) for f in result["findings"]]
        overall.add(expected, found)
        by_half[_half(item["id"])].add(expected, found)
        by_kind[item["kind"]].add(expected, found)
        if item["kind"] in CLEAN_KINDS and found:
            clean_with_findings.append(item["id"])
    return {
        "transcripts": len(items),
        "overall": overall.summary(),
        "dev": by_half["dev"].summary(),
        "held_out": by_half["held_out"].summary(),
        "recall_verbatim": by_kind["verbatim"].summary()["recall"],
        "recall_paraphrase": by_kind["paraphrase"].summary()["recall"],
        "clean_transcripts": sum(1 for item in items if item["kind"] in CLEAN_KINDS),
        "clean_with_findings": len(clean_with_findings),
        "clean_with_findings_ids": clean_with_findings[:20],
        "per_category": overall.per_category(),
    }


def thirty_turn_transcripts(items: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """``count`` transcripts of 30 timed turns each, made of the set's own turns."""
    turns = [segment for item in items for segment in item["segments"]]
    made = []
    for number in range(count):
        start, segments, clock = (number * 7) % len(turns), [], 0.0
        for offset in range(30):
            source = turns[(start + offset) % len(turns)]
            length = float(source["end"]) - float(source["start"])
            segments.append(
                {
                    "speaker": "agent" if offset % 2 == 0 else "customer",
                    "start": clock,
                    "end": clock + length,
                    "text": source["text"],
                }
            )
            clock += length + 0.5
        made.append({"channel": "phone", "language": "zh", "segments": segments})
    return made


def measure_speed(items: list[dict[str, Any]], count: int) -> dict[str, Any]:
    rules = default_rule_set()
    transcripts = thirty_turn_transcripts(items, count)
    check(transcripts[0], rules)  # build the automata once, as a running server has
    began = time.perf_counter()
    for transcript in transcripts:
        check(transcript, rules)
    elapsed = time.perf_counter() - began
    return {"speed_transcripts": count, "transcripts_per_s": round(count / elapsed, 1)}


def run_qa_benchmark(*, speed_transcripts: int = 2_000) -> dict[str, Any]:
    items = load_eval_set()
    return {**measure_accuracy(items), **measure_speed(items, speed_transcripts)}

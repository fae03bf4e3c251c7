"""The labelled QA evaluation set (issue 7 item 8) is well formed and meets its minimums."""

from __future__ import annotations

from collections import Counter

import pytest

from kefu.bench.qa_eval import (
    CATEGORIES,
    CLEAN_KINDS,
    RATE_BAND,
    count_chars,
    load_eval_set,
    segment_rate,
    validate_transcript,
)

MINIMUMS = {"clean": 50, "verbatim": 35, "paraphrase": 35, "customer_says_it": 20}
TURNS = {"phone": (12, 30), "chat": (8, 20)}


@pytest.fixture(scope="module")
def eval_set():
    return load_eval_set()


def test_at_least_150_transcripts_with_unique_ids(eval_set):
    assert len(eval_set) >= 150
    ids = [item["id"] for item in eval_set]
    assert len(ids) == len(set(ids))
    assert {item["channel"] for item in eval_set} == {"phone", "chat"}


def test_every_transcript_is_well_formed(eval_set):
    problems = [problem for item in eval_set for problem in validate_transcript(item)]
    assert problems == []


def test_turn_counts_per_channel(eval_set):
    for item in eval_set:
        low, high = TURNS[item["channel"]]
        assert low <= len(item["segments"]) <= high, item["id"]


def test_labels_reference_agent_segments_and_known_categories(eval_set):
    for item in eval_set:
        for label in item["labels"]:
            assert label["category"] in CATEGORIES, item["id"]
            index = label["segment"]
            assert index is None or 0 <= index < len(item["segments"]), item["id"]
            if index is not None:
                assert item["segments"][index]["speaker"] == "agent", item["id"]


def test_clean_and_customer_says_it_have_no_labels(eval_set):
    for item in eval_set:
        if item["kind"] in CLEAN_KINDS:
            assert item["labels"] == [], item["id"]
        else:
            assert item["labels"], item["id"]


def test_counts_per_kind_meet_the_minimums(eval_set):
    kinds = Counter(item["kind"] for item in eval_set)
    for kind, minimum in MINIMUMS.items():
        assert kinds[kind] >= minimum, (kind, kinds[kind])
    categories = Counter(label["category"] for item in eval_set for label in item["labels"])
    assert set(categories) == CATEGORIES, CATEGORIES - set(categories)


def test_verbatim_and_paraphrase_carry_phrase_categories_only(eval_set):
    phrase_categories = {"shirking", "vague_promise", "doubting_customer", "blunt", "impatience"}
    for item in eval_set:
        if item["kind"] in {"verbatim", "paraphrase"}:
            assert {label["category"] for label in item["labels"]} <= phrase_categories, item["id"]


def test_speech_rate_labels_match_the_timings(eval_set):
    """SCR-3: an agent segment is labelled speech_rate exactly when it is outside 120–240
    characters per minute (Han characters, letters and digits; punctuation does not count)."""
    low, high = RATE_BAND
    for item in eval_set:
        flagged = {
            label["segment"] for label in item["labels"] if label["category"] == "speech_rate"
        }
        for index, segment in enumerate(item["segments"]):
            if segment["speaker"] != "agent":
                continue
            inside = low <= segment_rate(segment) <= high
            assert inside != (index in flagged), (item["id"], index, segment_rate(segment))


def test_counting_rule_skips_punctuation():
    assert count_chars("您好，我是客服A12！") == 9
    assert count_chars("……？！，。") == 0

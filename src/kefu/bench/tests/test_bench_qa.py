"""The QA benchmark scores the engine against the labelled set and times it."""

from __future__ import annotations

from kefu.bench.qa import _Tally, _unit, measure_accuracy, measure_speed, thirty_turn_transcripts
from kefu.bench.qa_eval import load_eval_set


def test_matching_rules_for_positional_and_missing_categories():
    tally = _Tally()
    expected = {_unit("shirking", 3), _unit("missing_closing", 9)}
    found = {_unit("shirking", 5), _unit("missing_closing", 12)}  # wrong segment; stage anywhere
    tally.add(expected, found)
    assert tally.true_positive == {"missing_closing": 1}
    assert tally.false_positive == {"shirking": 1} and tally.false_negative == {"shirking": 1}


def test_a_repeated_finding_of_one_unit_is_a_false_positive():
    """Three ``missing_satisfaction_check`` findings for one transcript are one right, two
    wrong: the engine must report (and deduct) a missing stage once (CLS-1)."""
    tally = _Tally()
    expected = {_unit("missing_satisfaction_check", None), _unit("shirking", 3)}
    found = [_unit("missing_satisfaction_check", s) for s in (7, 9, 9)]
    found += [_unit("shirking", 3), _unit("shirking", 3), _unit("shirking", 5)]
    tally.add(expected, found)
    assert tally.true_positive == {"missing_satisfaction_check": 1, "shirking": 1}
    assert tally.false_positive == {"missing_satisfaction_check": 2, "shirking": 2}
    assert not tally.false_negative


def test_accuracy_report_covers_every_category_and_both_halves():
    items = load_eval_set()
    report = measure_accuracy(items)
    assert report["transcripts"] == len(items)
    assert set(report["per_category"]) >= {"shirking", "missing_closing", "speech_rate"}
    assert report["dev"]["tp"] + report["held_out"]["tp"] == report["overall"]["tp"]
    assert report["clean_transcripts"] >= 50


def test_speed_uses_thirty_turn_transcripts():
    items = load_eval_set()[:5]
    made = thirty_turn_transcripts(items, 3)
    assert all(len(t["segments"]) == 30 for t in made)
    assert measure_speed(items, 20)["transcripts_per_s"] > 0

"""``kefu bench faq-scale`` on a fake data dir (never ../shared/data; issue 8 item 9)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from kefu.bench.faq_scale import build_faq_set, run_faq_scale_benchmark

INTENTS = {
    "balance": ["what is my balance", "show my account balance", "how much money do i have"],
    "transfer": ["send money to a friend", "transfer cash to savings", "move money to bob"],
    "weather": ["is it raining today", "what is the weather like", "will it be sunny tomorrow"],
    "timer": ["set a timer for ten minutes", "start a five minute timer", "timer for an hour"],
}


def _fake_data(root: Path) -> Path:
    data = root / "data"
    (data / "clinc150").mkdir(parents=True)
    train = [[t, intent] for intent, texts in INTENTS.items() for t in texts * 2]
    val = [[texts[0] + " please", intent] for intent, texts in INTENTS.items()]
    (data / "clinc150" / "train_val.json").write_text(
        json.dumps(
            {
                "train": train,
                "val": val,
                "oos_train": [["tell me a joke", "oos"], ["who wrote hamlet", "oos"]],
                "oos_val": [["sing me a song", "oos"]],
            }
        ),
        encoding="utf-8",
    )
    (data / "bq").mkdir()
    (data / "bq" / "pairs_dev.tsv").write_text(
        "text_a\ttext_b\tlabel\n"
        + "".join(f"问题{i}怎么办\t问题{i}如何处理\t{i % 2}\n" for i in range(10)),
        encoding="utf-8",
    )
    return data


def test_faq_set_groups_intents_and_fills_with_bq_pairs(tmp_path: Path) -> None:
    entries, negatives, queries = build_faq_set(_fake_data(tmp_path), faqs=12)
    labels = [label for label, _ in entries]
    # 6 utterances per intent → two FAQs of 3 questions each; then BQ pairs labelled 1
    assert labels[:2] == ["clinc:balance:0", "clinc:balance:1"]
    assert all(len(q) == 3 for label, q in entries if label.startswith("clinc:"))
    assert [len(q) for label, q in entries if label.startswith("bq:")] == [2, 2, 2, 2]
    assert len(entries) == 12 and len(negatives) == 2
    assert ("sing me a song", "oos") in queries and len(queries) == 5


def test_bench_json_shape(tmp_path: Path) -> None:
    result = run_faq_scale_benchmark(
        _fake_data(tmp_path), faqs=12, latency_queries=5, embedding=None, knn_above=3
    )
    assert result["suite"] == "faq-scale" and result["method"] == "knn"
    assert result["faqs"] == 12 and result["questions"] == 32 and result["n"] == 5
    for key in ("train_seconds", "train_cpu_seconds", "p50_ms", "p95_ms", "cpu_p95_ms"):
        assert isinstance(result[key], float), key
    assert isinstance(result["peak_rss_mb"], float) and isinstance(result["threshold"], float)
    assert 0 <= result["accuracy_in_scope"] <= result["top1_in_scope"] <= 1
    assert 0 <= result["oos_recall"] <= 1
    assert result["p50_ms"] <= result["p95_ms"]


def test_bench_command_prints_skip_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEFU_SHARED_DATA", str(tmp_path / "absent"))
    out = StringIO()
    call_command("bench", "faq-scale", stdout=out)
    result = json.loads(out.getvalue())
    assert result["suite"] == "faq-scale" and "KEFU_SHARED_DATA" in result["skipped"]

"""``kefu bench assist`` data preparation on a fake data dir (never ../shared/data; issue 8)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from kefu.bench.assist import prepare, run_assist_benchmark


def test_bench_skips_without_data(tmp_path: Path) -> None:
    result = run_assist_benchmark(tmp_path / "absent")
    assert "skipped" in result and "KEFU_SHARED_DATA" in result["skipped"]


def test_prepare_writes_splits(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "smp2017").mkdir(parents=True)
    (data / "smp2017" / "train.tsv").write_text(
        "Sentence\tTag\n" + "".join(f"句子{i}\t{'ab'[i % 2]}\n" for i in range(20)),
        encoding="utf-8",
    )
    (data / "clinc150").mkdir()
    (data / "clinc150" / "train_val.json").write_text(
        json.dumps(
            {
                "train": [["hi there", "greet"]],
                "oos_train": [["weather?", "oos"]],
                "val": [["hello", "greet"]],
                "oos_val": [["tell\ta joke", "oos"]],
            }
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    out.mkdir()
    jobs = prepare(data, out)
    assert set(jobs) == {"smp2017_intent", "clinc150_faq"}
    task, train, test = jobs["smp2017_intent"]
    assert task == "intent"
    assert len(train.read_text(encoding="utf-8").splitlines()) == 1 + 16
    assert len(test.read_text(encoding="utf-8").splitlines()) == 1 + 4
    clinc_test = jobs["clinc150_faq"][2].read_text(encoding="utf-8").splitlines()
    assert clinc_test == ["text\tlabel", "hello\tgreet", "tell a joke\toos"]


def test_bench_command_prints_skip_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEFU_SHARED_DATA", str(tmp_path / "absent"))
    out = StringIO()
    call_command("bench", "assist", stdout=out)
    result = json.loads(out.getvalue())
    assert result["suite"] == "assist" and "skipped" in result

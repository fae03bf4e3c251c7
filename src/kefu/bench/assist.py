"""``kefu bench assist``: accuracy and speed of the assist text models on public data (issue 8).

Reads ``../shared/data`` (or ``KEFU_SHARED_DATA``): evaluation-only public corpora, never
packaged. Each corpus is converted into train/test TSV files in a temporary directory and
scored by exactly the code behind ``kefu assist eval`` (:func:`kefu.assist.evaluation.
evaluate_files`). Splits (fixed seed): SMP2017 and BANKING77 stratified 80/20
(``train_test_split(random_state=42, stratify=label)``); CLINC150 train + oos_train → train,
val + oos_val → test (FAQ task, ``oos`` = out of scope); BQ pairs_dev stratified 80/20.
Figures are "measured on the developer split".
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sklearn.model_selection import train_test_split  # type: ignore[import-untyped]

from kefu.assist.embeddings import default_backend
from kefu.assist.evaluation import evaluate_files

SEED = 42


def shared_data_dir() -> Path:
    configured = os.environ.get("KEFU_SHARED_DATA", "").strip()
    if configured:
        return Path(configured)
    repo = Path(__file__).resolve().parents[3]  # src/kefu/bench/assist.py → repository root
    return repo.parent / "shared" / "data"


def _clean(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def _write(path: Path, header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("\t".join(header) + "\n")
        for row in rows:
            handle.write("\t".join(_clean(field) for field in row) + "\n")


def _read(path: Path, delimiter: str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def _split(rows: Sequence[tuple[str, ...]]) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    train, test = train_test_split(
        rows, test_size=0.2, random_state=SEED, stratify=[r[-1] for r in rows]
    )
    return list(train), list(test)


def prepare(data: Path, out: Path) -> dict[str, tuple[str, Path, Path]]:
    """Write the TSV splits; ``{name: (task, train, test)}`` for the corpora present."""
    jobs: dict[str, tuple[str, Path, Path]] = {}

    def emit(name: str, task: str, header: tuple[str, ...], train: Any, test: Any) -> None:
        train_path, test_path = out / f"{name}_train.tsv", out / f"{name}_test.tsv"
        _write(train_path, header, train)
        _write(test_path, header, test)
        jobs[name] = (task, train_path, test_path)

    smp = data / "smp2017" / "train.tsv"
    if smp.exists():
        rows: list[tuple[str, ...]] = [(r["Sentence"], r["Tag"]) for r in _read(smp, "\t")]
        emit("smp2017_intent", "intent", ("text", "label"), *_split(rows))
    banking = data / "banking77" / "train.csv"
    if banking.exists():
        rows = [(r["text"], r["category"]) for r in _read(banking, ",")]
        emit("banking77_intent", "intent", ("text", "label"), *_split(rows))
    clinc = data / "clinc150" / "train_val.json"
    if clinc.exists():
        raw = json.loads(clinc.read_text(encoding="utf-8"))
        train = [(t, lab) for t, lab in raw["train"]] + [(t, "oos") for t, _ in raw["oos_train"]]
        test = [(t, lab) for t, lab in raw["val"]] + [(t, "oos") for t, _ in raw["oos_val"]]
        emit("clinc150_faq", "faq", ("text", "label"), train, test)
    bq = data / "bq" / "pairs_dev.tsv"
    if bq.exists():
        rows = [(r["text_a"], r["text_b"], r["label"]) for r in _read(bq, "\t")]
        emit("bq_pairs", "pairs", ("text_a", "text_b", "label"), *_split(rows))
    return jobs


def run_assist_benchmark(data: Path | None = None) -> dict[str, Any]:
    data = data or shared_data_dir()
    backend = default_backend()
    result: dict[str, Any] = {
        "suite": "assist",
        "data": str(data),
        "date": time.strftime("%Y-%m-%d"),
        "embeddings": backend.name if backend is not None else None,
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
    }
    if not data.is_dir():
        result["skipped"] = f"no public data at {data} (set KEFU_SHARED_DATA)"
        return result
    with tempfile.TemporaryDirectory(prefix="kefu-assist-") as tmp:
        jobs = prepare(data, Path(tmp))
        if not jobs:
            result["skipped"] = f"none of the expected corpora found under {data}"
        for name, (task, train, test) in jobs.items():
            result[name] = evaluate_files(task, train, test)
    return result

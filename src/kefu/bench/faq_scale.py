"""``kefu bench faq-scale``: FAQ matching with 10,000 FAQ entries (issue 8 item 9, TEC-2).

Target: p95 ≤ 30 ms per single query with 10,000 FAQs; training ≤ 60 s.

The 10,000 FAQs are built from the public corpora in ``../shared/data`` (or
``KEFU_SHARED_DATA``), evaluation only, never packaged:

* CLINC150 ``train``: the 100 utterances of each intent, in file order, cut into groups of
  ``GROUP`` (3; the remainder joins the last group) — each group is one FAQ whose questions
  are those utterances; ``oos_train`` rows are the out-of-scope negatives for the threshold;
* BANKING77 ``train.csv`` and SMP2017 ``train.tsv``: a stratified 80 % (seed 42) grouped the
  same way per category; the other 20 % are test queries;
* BQ ``pairs_dev.tsv``: each pair labelled 1 (same meaning) is a two-question FAQ, until
  10,000 FAQs are reached.

Test queries: CLINC150 ``val`` + ``oos_val`` and the held-out BANKING77 / SMP2017 rows. Several
FAQs share one source intent (they are paraphrase groups of the same intent), so a query
counts as correct when the matched FAQ comes from its intent (``accuracy_in_scope``);
``oos_recall`` is the share of ``oos_val`` not answered. The matcher is
:class:`kefu.assist.text_classifier.FaqMatcher` (retrieval above 300 FAQs), its threshold
chosen by cross-validation on the training rows only. Latency: single queries, one at a time,
on ``latency_queries`` test rows (embedding the query included), wall clock (``p50_ms``,
``p95_ms``) and process CPU time (``cpu_p95_ms``; equal to wall clock on an idle machine with
``OMP_NUM_THREADS=1``, and what to read on a busy one — ``load_average`` says how busy).
``top1_in_scope``: the best-ranked FAQ is from the query's intent, threshold ignored. RSS: the
process's peak.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split  # type: ignore[import-untyped]

from kefu.bench.assist import SEED, shared_data_dir

FAQS = 10_000
GROUP = 3
LATENCY_QUERIES = 500


def _read(path: Path, delimiter: str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def _groups(corpus: str, rows: Sequence[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """Rows (text, intent) → FAQs ``corpus:intent:n`` of ``GROUP`` questions each."""
    by_intent: dict[str, list[str]] = defaultdict(list)
    for text, intent in rows:
        by_intent[intent].append(text)
    faqs: list[tuple[str, list[str]]] = []
    for intent, texts in by_intent.items():
        chunks = [texts[i : i + GROUP] for i in range(0, len(texts), GROUP)]
        if len(chunks) > 1 and len(chunks[-1]) < GROUP:
            chunks[-2].extend(chunks.pop())
        faqs += [(f"{corpus}:{intent}:{n}", chunk) for n, chunk in enumerate(chunks)]
    return faqs


def _holdout(rows: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    train, test = train_test_split(
        rows, test_size=0.2, random_state=SEED, stratify=[r[1] for r in rows]
    )
    return list(train), list(test)


def build_faq_set(
    data: Path, faqs: int = FAQS
) -> tuple[list[tuple[str, list[str]]], list[str], list[tuple[str, str]]]:
    """(FAQs as (label, questions), out-of-scope training texts, test (text, intent|oos))."""
    entries: list[tuple[str, list[str]]] = []
    negatives: list[str] = []
    queries: list[tuple[str, str]] = []
    clinc = data / "clinc150" / "train_val.json"
    if clinc.exists():
        raw = json.loads(clinc.read_text(encoding="utf-8"))
        entries += _groups("clinc", [(t, lab) for t, lab in raw["train"]])
        negatives += [t for t, _ in raw["oos_train"]]
        queries += [(t, f"clinc:{lab}") for t, lab in raw["val"]]
        queries += [(t, "oos") for t, _ in raw["oos_val"]]
    banking = data / "banking77" / "train.csv"
    if banking.exists():
        train, test = _holdout([(r["text"], r["category"]) for r in _read(banking, ",")])
        entries += _groups("banking", train)
        queries += [(t, f"banking:{lab}") for t, lab in test]
    smp = data / "smp2017" / "train.tsv"
    if smp.exists():
        train, test = _holdout([(r["Sentence"], r["Tag"]) for r in _read(smp, "\t")])
        entries += _groups("smp", train)
        queries += [(t, f"smp:{lab}") for t, lab in test]
    bq = data / "bq" / "pairs_dev.tsv"
    if bq.exists():
        for number, row in enumerate(r for r in _read(bq, "\t") if r["label"] == "1"):
            if len(entries) >= faqs:
                break
            entries.append((f"bq:{number}:0", [row["text_a"], row["text_b"]]))
    return entries[:faqs], negatives, queries


def _intent(label: str) -> str:
    return label.rsplit(":", 1)[0] if label != "oos" else label


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_faq_scale_benchmark(
    data: Path | None = None,
    *,
    faqs: int = FAQS,
    latency_queries: int = LATENCY_QUERIES,
    embedding: Any = "auto",
    knn_above: int = 300,
) -> dict[str, Any]:
    from kefu.assist.embeddings import default_backend
    from kefu.assist.text_classifier import OOS, FaqMatcher

    data = data or shared_data_dir()
    backend = default_backend() if embedding == "auto" else embedding
    result: dict[str, Any] = {
        "suite": "faq-scale",
        "data": str(data),
        "date": time.strftime("%Y-%m-%d"),
        "embeddings": backend.name if backend is not None else None,
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
    }
    if not data.is_dir():
        result["skipped"] = f"no public data at {data} (set KEFU_SHARED_DATA)"
        return result
    entries, negatives, queries = build_faq_set(data, faqs)
    if len(entries) < 2 or not queries:
        result["skipped"] = f"none of the expected corpora found under {data}"
        return result
    texts = [q for _, questions in entries for q in questions] + negatives
    labels = [label for label, questions in entries for _ in questions] + [OOS] * len(negatives)
    result.update(
        faqs=len(entries), questions=len(texts) - len(negatives), oos_train=len(negatives)
    )
    start, cpu = time.perf_counter(), time.process_time()
    matcher = FaqMatcher(embedding=backend, knn_above=knn_above).fit(texts, labels)
    result["train_seconds"] = round(time.perf_counter() - start, 2)
    result["train_cpu_seconds"] = round(time.process_time() - cpu, 2)
    result["method"] = matcher.method_used
    result["threshold"] = round(matcher.threshold, 4)
    truth = np.asarray([t for _, t in queries], dtype=object)
    predictions = matcher.predict([q for q, _ in queries])
    predicted = np.asarray([_intent(p.label) for p in predictions], dtype=object)
    best = np.asarray(
        [_intent(r[0][0]) for r in matcher.rank([q for q, _ in queries], 1)], dtype=object
    )
    inscope = truth != OOS
    result["n"] = len(queries)
    result["accuracy_in_scope"] = round(float((predicted[inscope] == truth[inscope]).mean()), 4)
    result["top1_in_scope"] = round(float((best[inscope] == truth[inscope]).mean()), 4)
    result["oos_recall"] = (
        round(float((predicted[~inscope] == OOS).mean()), 4) if (~inscope).any() else None
    )
    rng = np.random.default_rng(SEED)
    sample = rng.permutation(len(queries))[:latency_queries]
    timings, cpu_timings = [], []
    for i in sample:
        begin, cpu = time.perf_counter(), time.process_time()
        matcher.predict([queries[i][0]])
        timings.append((time.perf_counter() - begin) * 1000)
        cpu_timings.append((time.process_time() - cpu) * 1000)
    result["p50_ms"] = round(float(np.percentile(timings, 50)), 2)
    result["p95_ms"] = round(float(np.percentile(timings, 95)), 2)
    result["cpu_p95_ms"] = round(float(np.percentile(cpu_timings, 95)), 2)
    result["load_average"] = round(os.getloadavg()[0], 2)
    result["latency_queries"] = len(timings)
    result["peak_rss_mb"] = _rss_mb()
    return result

"""The core benchmark runs end to end on a small center and reports every figure."""

from __future__ import annotations

import pytest

from kefu.bench.core import percentile, run_core_benchmark


def test_percentile_picks_the_rank():
    samples = [float(value) for value in range(1, 101)]
    assert percentile(samples, 0.5) in (50.0, 51.0)
    assert percentile(samples, 0.95) == 95.0
    assert percentile([3.0], 0.95) == 3.0


@pytest.mark.django_db
def test_core_benchmark_reports_all_figures():
    # One writer: forked writers could not see this test's uncommitted data.
    result = run_core_benchmark(tickets=400, customers=60, samples=5, creates=10, writers=1)

    assert result["tickets"] == 400
    assert result["database"] in ("sqlite", "postgresql")
    for key in ("list_p50_ms", "list_p95_ms", "search_p95_ms", "create_per_s"):
        assert result[key] > 0, key

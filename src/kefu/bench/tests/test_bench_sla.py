"""The SLA benchmark runs end to end on a small center and reports every figure."""

from __future__ import annotations

import pytest

from kefu.bench.sla import run_sla_benchmark
from kefu.sla.models import ClockEvent


@pytest.mark.django_db
def test_sla_benchmark_reports_all_figures():
    result = run_sla_benchmark(open_tickets=300, due_now=40, due_samples=500)
    assert result["open_tickets"] == 300
    assert result["clocks"] == 600
    assert result["breaches"] == 40
    assert ClockEvent.objects.filter(kind="breach").count() == 40
    for key in ("sweep_find_ms", "breaches_per_s", "due_calc_per_s"):
        assert result[key] > 0, key

"""The web benchmark renders both pages for every kind of viewer on a small center."""

from __future__ import annotations

import pytest

from kefu.bench import web
from kefu.bench.web import run_web_benchmark


@pytest.mark.django_db
def test_web_benchmark_reports_page_times(monkeypatch):
    monkeypatch.setattr(web, "WITH_TIMELINE", 100)
    result = run_web_benchmark(tickets=300, customers=50, samples=6)
    assert result["tickets"] == 300
    for key in ("queue_p50_ms", "queue_p95_ms", "ticket_p50_ms", "ticket_p95_ms"):
        assert result[key] > 0, key

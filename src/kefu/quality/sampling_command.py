"""``kefu qa sample [--plan NAME] [--period-start YYYY-MM-DD]``: run sampling plans now (QA-2)
and print each run's stats as JSON. Without ``--plan`` every active plan runs; without
``--period-start`` each runs for its last complete period. Runs as the system."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from kefu.core.errors import KefuError
from kefu.quality.models import SamplingPlan, SamplingRun


def add_sample_parser(sub: Any) -> None:
    parser = sub.add_parser("sample", help="run sampling plans now and print the runs (JSON)")
    parser.add_argument("--plan", help="the plan's name (default: every active plan)")
    parser.add_argument(
        "--period-start",
        type=dt.date.fromisoformat,
        help="YYYY-MM-DD: a day of the period to run (default: the last complete period)",
    )
    parser.add_argument("--indent", type=int, default=None, help="pretty-print")


def run_summary(run: SamplingRun) -> dict[str, Any]:
    return {
        "run": run.pk,
        "plan": run.plan.name,
        "period_start": run.period_start.isoformat(),
        "period_end": run.period_end.isoformat(),
        "considered": run.considered,
        "selected": run.selected,
        "stats": run.stats,
    }


def handle_sample(options: dict[str, Any]) -> str:
    """Run the chosen plans; the JSON to print. Raises ``argparse.ArgumentTypeError`` (shown as
    an error) for an unknown plan or a refused run."""
    from kefu.quality.sampling_services import sampling_run

    plans = SamplingPlan.objects.filter(is_active=True)
    if options.get("plan"):
        plans = SamplingPlan.objects.filter(name=options["plan"])
        if not plans.exists():
            raise argparse.ArgumentTypeError(f"no sampling plan named {options['plan']!r}")
    results = []
    for plan in plans.order_by("id"):
        try:
            run = sampling_run(actor=None, plan=plan, period_start=options.get("period_start"))
        except KefuError as error:
            raise argparse.ArgumentTypeError(f"{plan.name}: {error.message}") from None
        results.append(run_summary(run))
    return json.dumps(results, ensure_ascii=False, indent=options.get("indent"))

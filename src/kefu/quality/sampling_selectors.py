"""Reads of sampling (QA-2): plans, their runs and the QA specialists' workload, for those who
may see them (QA specialists, managers, administrators)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_has_role
from kefu.core.errors import NotFound, PermissionDenied
from kefu.quality.models import SamplingPlan, SamplingRun
from kefu.quality.sampling_services import coverage_band, inspector_workload, sampling_may_manage

RECENT_RUNS = 10


def sampling_may_view(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return sampling_may_manage(user) or user_has_role(
        user, Role.QA_SPECIALIST, Role.MANAGER, Role.ADMIN
    )


def _require_view(user: Any) -> None:
    if not sampling_may_view(user):
        raise PermissionDenied(_("Only QA specialists, managers and administrators see sampling."))


def sampling_plan_list(*, user: Any) -> QuerySet[SamplingPlan]:
    _require_view(user)
    return SamplingPlan.objects.select_related("scorecard").order_by("-is_active", "name")


def sampling_plan_get(*, user: Any, plan_id: int) -> SamplingPlan:
    _require_view(user)
    plan = SamplingPlan.objects.select_related("scorecard").filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("No such sampling plan."))
    return plan


def sampling_run_list(*, user: Any, plan: SamplingPlan | None = None) -> QuerySet[SamplingRun]:
    _require_view(user)
    runs = SamplingRun.objects.select_related("plan")
    return runs.filter(plan=plan) if plan is not None else runs


def sampling_run_get(*, user: Any, run_id: int) -> SamplingRun:
    _require_view(user)
    run = SamplingRun.objects.select_related("plan").filter(pk=run_id).first()
    if run is None:
        raise NotFound(_("No such sampling run."))
    return run


def sampling_workload(*, user: Any) -> list[dict[str, Any]]:
    """The open and total inspections of each active QA specialist."""
    _require_view(user)
    return inspector_workload()


def sampling_band() -> dict[str, str]:
    low, high = coverage_band()
    return {"min": f"{low:g}", "max": f"{high:g}"}


def plan_out(plan: SamplingPlan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "name": plan.name,
        "is_active": plan.is_active,
        "ordinary_percent": f"{plan.ordinary_percent:.2f}",
        "agent_minimum": plan.agent_minimum,
        "period": plan.period,
        "include_complaints": plan.include_complaints,
        "include_fatal": plan.include_fatal,
        "channels": list(plan.channels),
        "scorecard": plan.scorecard_id,
        "updated_at": plan.updated_at.isoformat(),
    }


def run_out(run: SamplingRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "plan": run.plan_id,
        "plan_name": run.plan.name,
        "period_start": run.period_start.isoformat(),
        "period_end": run.period_end.isoformat(),
        "ran_at": run.ran_at.isoformat(),
        "considered": run.considered,
        "selected": run.selected,
        "stats": run.stats,
    }

"""Quality in the demo center (QA-2): once the demo contacts exist, check the ended ones that
have no automatic check yet and run the default sampling plan over the seeded period, so the
QA specialists find pending inspections assigned to them."""

from __future__ import annotations

from django.utils import timezone

from kefu.channels.models import Contact, ContactState
from kefu.quality.models import SamplingPlan, SamplingRun
from kefu.quality.services import contact_auto_check

DEFAULT_PLAN = "标准抽检计划"


def seed_demo_inspections() -> list[SamplingRun]:
    """Run the default plan over the current period (the demo's contacts are today's) and the
    last complete one; the runs, empty if the plan is missing or inactive."""
    from kefu.quality.sampling_services import sampling_run

    for contact in Contact.objects.filter(state=ContactState.ENDED, auto_check__isnull=True):
        contact_auto_check(contact=contact)
    plan = SamplingPlan.objects.filter(name=DEFAULT_PLAN, is_active=True).first()
    if plan is None:
        return []
    moment = timezone.now()
    runs = [sampling_run(actor=None, plan=plan, now=moment)]
    runs.append(sampling_run(actor=None, plan=plan, period_start=moment, now=moment))
    return runs

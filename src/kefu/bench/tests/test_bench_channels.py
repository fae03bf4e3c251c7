"""The channels benchmark runs end to end on small numbers and reports every figure."""

from __future__ import annotations

import random

import pytest

from kefu.bench.channels import CALL_FLOW, measure_cti
from kefu.bench.chat import run_chat_latency
from kefu.channels.email.bench import measure_email
from kefu.channels.models import Contact, ContactEvent


@pytest.mark.django_db
def test_email_and_cti_figures_count_what_was_stored():
    rng = random.Random(1)
    mail = measure_email(40, rng)
    assert mail["email_in"] == 40 and mail["email_in_per_s"] > 0
    assert sum(mail["email_in_outcomes"].values()) == 40
    cti = measure_cti(10, rng, writers=1)
    # Each call's repeated delivery is posted but never stored twice.
    assert cti["cti_events"] == 10 * (len(CALL_FLOW) + 1)
    assert ContactEvent.objects.count() == 2 * 10 * len(CALL_FLOW)  # service run + API run
    assert Contact.objects.filter(kind="call").count() == 20
    assert cti["cti_events_per_s"] > 0 and cti["cti_api_events_per_s"] > 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_chat_latency_is_measured_between_two_browser_pages():
    result = run_chat_latency(samples=3)
    assert result["chat_samples"] == 3
    assert 0 < result["chat_message_latency_p50_ms"] <= result["chat_message_latency_p95_ms"]

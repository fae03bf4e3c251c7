"""``kefu bench channels``: how fast contacts come in through the channels (TEC-7).

- ``email_in_per_s``: generated customer mail (UTF-8 and GBK, HTML, attachments, follow-ups,
  auto-replies) parsed, threaded and stored by ``email_receive``, as the SMTP listener and the
  IMAP poller hand it over (see ``kefu.channels.email.bench``).
- ``chat_message_latency_p95_ms``: a chat message from the customer pressing Enter in the
  widget to the agent's console showing it, two real Chromium pages over HTTP (see
  ``kefu.bench.chat``).
- ``cti_events_per_s``: CTI events recorded by the service the API calls (validation, the
  idempotent store, the timing recompute, the audit record, one transaction each), as a PBX
  sends them: ringing, answered, held, resumed, ended per call, plus one repeated delivery per
  call (which must change nothing). ``cti_single_writer_events_per_s`` by one process,
  ``cti_writers_events_per_s`` by 4 processes at once (the API's server workers taking a PBX's
  concurrent calls), ``cti_events_per_s`` the better of the two — one writer on SQLite, which
  lets one writer in at a time, several on PostgreSQL.
- ``cti_api_events_per_s``: the same events posted to ``POST /api/v1/cti/events`` through the
  whole Django stack (middleware, bearer-token auth, JSON validation, response), one at a time
  from one client.

Runs in a fresh data store (see the bench command).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from typing import Any

from django.core.management import call_command
from django.test import Client

from kefu.accounts.models import User
from kefu.accounts.roles import Role
from kefu.accounts.services import api_token_create, user_create
from kefu.bench.chat import run_chat_latency
from kefu.bench.core import run_writers
from kefu.channels.email.bench import measure_email
from kefu.channels.models import Contact, ContactEvent
from kefu.channels.services import cti_event_record

CALL_FLOW = (("ringing", 0), ("answered", 9), ("held", 60), ("resumed", 90), ("ended", 240))


def _integration_client() -> tuple[Client, str]:
    pbx = user_create(actor=None, username="bench-pbx", password=None, roles=[Role.INTEGRATION])
    user_create(actor=None, username="bench-agent", password=None, roles=[Role.AGENT])
    _token, plain = api_token_create(actor=None, user=pbx, name="bench")
    return Client(), plain


def _call_events(calls: int, rng: random.Random, prefix: str) -> list[dict[str, Any]]:
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    events = []
    for number in range(calls):
        base = start + dt.timedelta(seconds=number * 7)
        caller = f"1{rng.randint(3, 9)}{rng.randint(0, 999_999_999):09d}"
        for event, offset in [*CALL_FLOW, rng.choice(CALL_FLOW)]:  # one repeat per call
            events.append(
                {
                    "call_id": f"{prefix}-{number}",
                    "event": event,
                    "at": base + dt.timedelta(seconds=offset),
                    "caller": caller,
                    "agent": "bench-agent",
                }
            )
    return events


def _check_stored(prefix: str, calls: int) -> None:
    stored = ContactEvent.objects.filter(contact__external_id__startswith=f"{prefix}-").count()
    contacts = Contact.objects.filter(external_id__startswith=f"{prefix}-").count()
    if stored != calls * len(CALL_FLOW) or contacts != calls:
        raise RuntimeError(f"expected {calls * len(CALL_FLOW)} stored events, found {stored}")


def _record_events(prefix: str, calls: int, seed: int) -> float:
    """Record the events of ``calls`` calls through the service; returns the seconds."""
    pbx = User.objects.get(username="bench-pbx")
    events = _call_events(calls, random.Random(seed), prefix)
    began = time.perf_counter()
    for item in events:
        cti_event_record(actor=pbx, **item)
    return time.perf_counter() - began


def _record_concurrently(writers: int, calls: int, seed: int) -> float:
    """``writers`` processes (the API's server workers) recording different calls at once;
    returns the elapsed seconds."""
    elapsed = run_writers(
        _record_events, [(f"w{index}", calls, seed + index) for index in range(writers)]
    )
    for index in range(writers):
        _check_stored(f"w{index}", calls)
    return elapsed


def measure_cti(calls: int, rng: random.Random, writers: int = 4) -> dict[str, Any]:
    client, token = _integration_client()
    per_call = len(CALL_FLOW) + 1  # the flow plus one repeated delivery
    single_elapsed = _record_events("svc", calls, rng.randrange(1_000_000))
    _check_stored("svc", calls)
    single_per_s = calls * per_call / single_elapsed
    share = max(1, calls // writers)
    if writers > 1:
        concurrent_per_s = (
            share
            * writers
            * per_call
            / _record_concurrently(writers, share, rng.randrange(1_000_000))
        )
    else:  # one writer (an in-memory test database cannot be shared with forked writers)
        concurrent_per_s = single_per_s

    headers = {"Authorization": f"Bearer {token}"}
    api_events = _call_events(calls, rng, "api")
    began = time.perf_counter()
    for item in api_events:
        body = json.dumps({**item, "at": item["at"].isoformat()})
        response = client.post(
            "/api/v1/cti/events", data=body, content_type="application/json", headers=headers
        )
        if response.status_code not in (200, 201):
            raise RuntimeError(f"CTI event refused: {response.status_code} {response.content!r}")
    api_elapsed = time.perf_counter() - began
    _check_stored("api", calls)
    return {
        "cti_calls": calls,
        "cti_events": calls * per_call,
        "cti_writers": writers,
        # The center's capacity: the better of one writer and several. SQLite lets one writer
        # in at a time, so more processes only queue; PostgreSQL takes them side by side.
        "cti_events_per_s": round(max(concurrent_per_s, single_per_s), 1),
        "cti_writers_events_per_s": round(concurrent_per_s, 1),
        "cti_single_writer_events_per_s": round(single_per_s, 1),
        "cti_api_events_per_s": round(len(api_events) / api_elapsed, 1),
    }


def run_channels_benchmark(
    *, calls: int = 400, mails: int = 500, chat_messages: int = 100, seed: int = 5
) -> dict[str, Any]:
    rng = random.Random(seed)
    call_command("migrate", interactive=False, verbosity=0)
    result: dict[str, Any] = {}
    result.update(measure_email(mails, rng))
    result.update(measure_cti(calls, rng))
    result.update(run_chat_latency(samples=chat_messages, seed=seed))
    return result

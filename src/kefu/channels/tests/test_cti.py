"""The CTI endpoint end to end: a PBX reports call events (TEC-7, ACC-1, ACC-2, ACC-3).

Events are idempotent and may arrive in any order; the call's timing is recomputed from all of
them. Bad input is a 422 naming the field and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from kefu.accounts.services import api_token_create
from kefu.channels.models import (
    Contact,
    ContactEvent,
    ContactRecording,
    ContactSegment,
    ContactState,
)
from kefu.channels.services import contact_link_ticket
from kefu.core.crypto import decrypt_bytes
from kefu.customers.models import AccountTier, Customer, MemberLevel
from kefu.tests_support.factories import UserFactory

URL = "/api/v1/cti/events"
T0 = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
PHONE = "13800138000"
MASKED = "138****8000"
# The timing of a contact, all derived from its events.
TIMING = (
    "state",
    "queued_at",
    "offered_at",
    "answered_at",
    "ended_at",
    "wait_seconds",
    "handle_seconds",
    "held_seconds",
    "transfers",
    "agent_id",
    "customer_id",
    "address",
)
WAV = b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00@\x1f\x00\x00" + bytes(range(64))


def at(seconds: float) -> str:
    return (T0 + dt.timedelta(seconds=seconds)).isoformat()


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    """Recordings land in this test's own data directory."""
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def pbx(db):
    user = UserFactory(username="pbx", roles=["integration"])
    _, key = api_token_create(actor=None, user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def send(client: Client, **body: Any) -> Any:
    return client.post(URL, body, content_type="application/json")


def flow(call_id: str, agent: str, target: str) -> list[dict[str, Any]]:
    """ringing → answered (12.5 s) → held → resumed → transferred → ended."""
    return [
        {"call_id": call_id, "event": "ringing", "at": at(0), "caller": PHONE, "agent": agent},
        {"call_id": call_id, "event": "answered", "at": at(12.5), "agent": agent},
        {"call_id": call_id, "event": "held", "at": at(60), "agent": agent},
        {"call_id": call_id, "event": "resumed", "at": at(95), "agent": agent},
        {
            "call_id": call_id,
            "event": "transferred",
            "at": at(120),
            "agent": agent,
            "target_agent": target,
        },
        {"call_id": call_id, "event": "ended", "at": at(300.5)},
    ]


def timing(contact: Contact) -> dict[str, Any]:
    contact.refresh_from_db()
    return {name: getattr(contact, name) for name in TIMING}


@pytest.mark.django_db
def test_a_full_call_flow_gives_exact_timing(pbx, agent, other_agent, customer):
    states = []
    for body in flow("call-1", agent.username, other_agent.username):
        response = send(pbx, **body)
        assert response.status_code == 201, response.content
        assert response.json()["created"] is True
        states.append(response.json()["state"])
    assert states == ["offered", "active", "held", "active", "active", "ended"]
    last = response.json()
    assert last["wait_seconds"] == 12.5  # ACC-1: answered within 15 s
    assert last["handle_seconds"] == 288.0
    assert last["held_seconds"] == 35.0
    assert last["transfers"] == 1
    assert last["agent"] == "other_agent"  # whom it was transferred to
    assert last["customer"] == customer.pk

    contact = Contact.objects.get(external_id="call-1")
    assert contact.kind == "call" and contact.direction == "inbound"
    assert contact.state == ContactState.ENDED
    assert contact.offered_at == contact.queued_at == T0
    assert contact.answered_at == T0 + dt.timedelta(seconds=12.5)
    assert contact.ended_at == T0 + dt.timedelta(seconds=300.5)
    assert (contact.wait_seconds, contact.handle_seconds) == (12.5, 288.0)
    assert (contact.held_seconds, contact.transfers) == (35.0, 1)
    assert contact.agent == other_agent and contact.customer == customer
    assert contact.events.count() == 6


@pytest.mark.django_db
def test_out_of_order_and_repeated_events_give_the_same_call(pbx, agent, other_agent, customer):
    in_order = flow("call-in-order", agent.username, other_agent.username)
    for body in in_order:
        assert send(pbx, **body).status_code == 201
    expected = timing(Contact.objects.get(external_id="call-in-order"))

    ringing, answered, held, resumed, transferred, ended = flow(
        "call-reversed", agent.username, other_agent.username
    )
    shuffled = flow("call-shuffled", agent.username, other_agent.username)
    random.Random(20261127).shuffle(shuffled)
    for events in ([ended, answered, ringing, transferred, resumed, held], shuffled):
        call_id = events[0]["call_id"]
        for body in events:
            response = send(pbx, **body)
            assert response.status_code == 201, response.content
        contact = Contact.objects.get(external_id=call_id)
        assert timing(contact) == expected
        before = contact.updated_at
        for body in [*events, *reversed(events)]:
            repeat = send(pbx, **body)
            assert repeat.status_code == 200, repeat.content
            assert repeat.json()["created"] is False
            assert repeat.json()["wait_seconds"] == 12.5
        assert timing(contact) == expected
        assert contact.updated_at == before  # a repeat writes nothing
        assert contact.events.count() == 6


@pytest.mark.django_db
def test_event_id_makes_a_resent_event_a_no_op(pbx, agent, other_agent):
    send(pbx, call_id="call-2", event="ringing", at=at(0), agent="agent", event_id="e-1")
    send(pbx, call_id="call-2", event="answered", at=at(5), agent="agent", event_id="e-2")
    held = send(pbx, call_id="call-2", event="held", at=at(60), agent="agent", event_id="e-3")
    assert held.status_code == 201
    # The PBX resends e-3 stamped with the time of the resend: still the same event.
    again = send(pbx, call_id="call-2", event="held", at=at(70), agent="agent", event_id="e-3")
    assert again.status_code == 200 and again.json()["created"] is False
    send(pbx, call_id="call-2", event="resumed", at=at(90), agent="agent", event_id="e-4")
    # Two transfers at the same instant are two events when the PBX says so.
    for event_id in ("e-5", "e-6"):
        transfer = send(
            pbx,
            call_id="call-2",
            event="transferred",
            at=at(100),
            agent="agent",
            target_agent="other_agent",
            event_id=event_id,
        )
        assert transfer.status_code == 201
    contact = Contact.objects.get(external_id="call-2")
    assert contact.held_seconds == 30.0 and contact.transfers == 2
    assert contact.wait_seconds == 5.0 and contact.state == ContactState.ACTIVE
    assert sorted(contact.events.values_list("key", flat=True)) == [
        f"id:e-{n}" for n in range(1, 7)
    ]


@pytest.mark.django_db
def test_ringing_pops_the_masked_customer_with_level_tier_tickets_and_contacts(
    pbx, agent, customer, ticket
):
    Customer.objects.filter(pk=customer.pk).update(
        member_level=MemberLevel.GOLD, tier=AccountTier.STRATEGIC
    )
    for body in flow("call-earlier", agent.username, agent.username):
        send(pbx, **body)

    response = send(pbx, call_id="call-3", event="ringing", at=at(3600), caller="+86 138-0013-8000")
    assert response.status_code == 201, response.content
    text = response.content.decode()
    assert PHONE not in text and "li@example.com" not in text
    pop = response.json()["screen_pop"]
    assert pop["call_id"] == "call-3" and pop["caller"] == MASKED
    who = pop["customer"]
    assert who["id"] == customer.pk and who["name"] == "李明"
    assert (who["member_level"], who["tier"]) == ("gold", "strategic")
    assert {"kind": "phone", "value": MASKED} in who["identities"]
    assert [item["number"] for item in pop["open_tickets"]] == [ticket.number]
    assert pop["open_tickets"][0]["status"] == "new"
    assert len(pop["last_contacts"]) == 1  # the earlier call, not this one
    earlier = pop["last_contacts"][0]
    assert earlier["kind"] == "call" and earlier["handle_seconds"] == 288.0
    assert earlier["agent"] == "agent"
    # A repeated ringing pops the same panel.
    repeat = send(pbx, call_id="call-3", event="ringing", at=at(3600), caller="+86 138-0013-8000")
    assert repeat.status_code == 200 and repeat.json()["screen_pop"] == pop


@pytest.mark.django_db
def test_ringing_from_an_unknown_number_pops_no_customer(pbx, customer):
    response = send(pbx, call_id="call-4", event="ringing", at=at(0), caller="13911112222")
    assert response.status_code == 201
    body = response.json()
    assert body["customer"] is None and "13911112222" not in response.content.decode()
    pop = body["screen_pop"]
    assert pop["caller"] == "139****2222" and pop["customer"] is None
    assert pop["open_tickets"] == [] and pop["last_contacts"] == []


@pytest.mark.django_db
def test_transcript_segments_are_stored_once(pbx):
    send(pbx, call_id="call-5", event="ringing", at=at(0), caller=PHONE)
    segments = [
        {"speaker": "agent", "start": 0, "end": 2.5, "text": "您好，请问有什么可以帮您？"},
        {"speaker": "customer", "start": 3, "end": 7.25, "text": " 冰箱不制冷。 "},
    ]
    body = {"call_id": "call-5", "event": "transcript", "at": at(400), "segments": segments}
    first = send(pbx, **body)
    assert first.status_code == 201, first.content
    repeat = send(pbx, **body)
    assert repeat.status_code == 200 and repeat.json()["created"] is False
    contact = Contact.objects.get(external_id="call-5")
    stored = list(contact.segments.values_list("speaker", "start", "end", "text"))
    assert stored == [
        ("agent", 0.0, 2.5, "您好，请问有什么可以帮您？"),
        ("customer", 3.0, 7.25, "冰箱不制冷。"),
    ]
    # The same segments under another event id are not stored twice either.
    again = send(pbx, **body, event_id="t-2")
    assert again.status_code == 201
    assert ContactSegment.objects.filter(contact=contact).count() == 2
    empty = send(pbx, call_id="call-5", event="transcript", at=at(401), segments=[])
    assert empty.status_code == 422 and empty.json()["field"] == "segments"
    bad = send(
        pbx,
        call_id="call-5",
        event="transcript",
        at=at(402),
        segments=[{"speaker": "robot", "start": 0, "end": 1, "text": "x"}],
    )
    assert bad.status_code == 422 and bad.json()["field"].startswith("segments.0")


def _recording(pbx: Client, call_id: str, content: bytes, content_type: str = "audio/wav") -> Any:
    return pbx.post(
        URL,
        {
            "call_id": call_id,
            "event": "recording",
            "at": at(301),
            "disclosed": "true",
            "file": SimpleUploadedFile("call.wav", content, content_type=content_type),
        },
    )


@pytest.mark.django_db
def test_a_recording_is_stored_encrypted_with_the_disclosure(pbx, data_dir, agent, ticket):
    send(pbx, call_id="call-6", event="ringing", at=at(0), caller=PHONE)
    response = _recording(pbx, "call-6", WAV)
    assert response.status_code == 201, response.content
    contact = Contact.objects.get(external_id="call-6")
    assert contact.recording_disclosed is True  # ACC-3
    recording = ContactRecording.objects.get(contact=contact)
    assert recording.filename == "call.wav" and recording.content_type == "audio/wav"
    assert recording.size == len(WAV)
    assert recording.sha256 == hashlib.sha256(WAV).hexdigest()
    path = Path(data_dir) / recording.storage_name
    assert path.is_file() and path.resolve().is_relative_to(Path(data_dir).resolve())
    on_disk = path.read_bytes()
    assert on_disk != WAV and b"WAVEfmt" not in on_disk
    assert decrypt_bytes(on_disk) == WAV

    repeat = _recording(pbx, "call-6", WAV)
    assert repeat.status_code == 200 and repeat.json()["created"] is False
    assert ContactRecording.objects.filter(contact=contact).count() == 1
    assert len([p for p in Path(data_dir).rglob("*") if p.is_file()]) == 1

    # ACC-3: the recording goes with the ticket the call is linked to.
    contact_link_ticket(actor=agent, contact=contact, ticket=ticket)
    assert list(ContactRecording.objects.filter(contact__tickets=ticket)) == [recording]


@pytest.mark.django_db
def test_recording_and_transcript_need_a_known_call(pbx, data_dir):
    missing = _recording(pbx, "no-such-call", WAV)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    transcript = send(
        pbx,
        call_id="no-such-call",
        event="transcript",
        at=at(0),
        segments=[{"speaker": "agent", "start": 0, "end": 1, "text": "您好"}],
    )
    assert transcript.status_code == 404
    assert not Contact.objects.exists() and not list(Path(data_dir).rglob("*.bin"))


@pytest.mark.django_db
def test_a_recording_must_be_audio(pbx, data_dir):
    send(pbx, call_id="call-7", event="ringing", at=at(0))
    response = _recording(pbx, "call-7", b"<html>not audio</html>", content_type="text/html")
    assert response.status_code == 422 and response.json()["field"] == "file"
    no_file = send(pbx, call_id="call-7", event="recording", at=at(1))
    assert no_file.status_code == 422 and no_file.json()["field"] == "file"
    assert not ContactRecording.objects.exists() and not list(Path(data_dir).rglob("*.bin"))
    assert ContactEvent.objects.filter(kind="recording").count() == 0


BAD_INPUT = [
    ({"call_id": "call 1/2", "event": "ringing", "at": at(0)}, "call_id"),
    ({"call_id": "call-8", "event": "picked_up", "at": at(0)}, "event"),
    ({"call_id": "call-8", "event": "ringing", "at": "2026-11-27T09:00:00"}, "at"),
    ({"call_id": "call-8", "event": "ringing"}, "at"),
    ({"call_id": "call-8", "event": "ringing", "at": at(0), "agent": "nobody"}, "agent"),
    ({"call_id": "call-8", "event": "ringing", "at": at(0), "caller": "call me"}, "caller"),
    ({"call_id": "call-8", "event": "transferred", "at": at(0), "agent": "agent"}, "target_agent"),
    (
        {"call_id": "call-8", "event": "transferred", "at": at(0), "target_agent": "nobody"},
        "target_agent",
    ),
    ({"call_id": "call-8", "event": "ringing", "at": at(0), "direction": "sideways"}, "direction"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "field"), BAD_INPUT)
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(pbx, agent, body, field):
    response = send(pbx, **body)
    assert response.status_code == 422, response.content
    assert response.json()["error"] == "invalid" and response.json()["field"] == field
    assert not Contact.objects.exists() and not ContactEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["{not json", "[]", '["call_id", "event"]', "\xff"])
def test_a_body_that_is_not_a_json_object_is_a_422(pbx, raw):
    response = pbx.post(URL, raw, content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "body"
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_an_agent_may_not_report_events_and_anonymous_callers_are_refused(agent):
    _, key = api_token_create(actor=None, user=agent)
    as_agent = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    body = {"call_id": "call-9", "event": "ringing", "at": at(0), "caller": PHONE}
    forbidden = send(as_agent, **body)
    assert forbidden.status_code == 403 and forbidden.json()["error"] == "forbidden"
    assert send(Client(), **body).status_code == 401
    assert send(Client(HTTP_AUTHORIZATION="Bearer kefu_wrong"), **body).status_code == 401
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_the_callers_number_is_encrypted_at_rest(pbx, customer):
    send(pbx, call_id="call-10", event="ringing", at=at(0), caller=PHONE)
    contact = Contact.objects.get(external_id="call-10")
    assert contact.address == PHONE and contact.customer == customer
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM channels_contact WHERE id = %s", [contact.pk])
        (raw,) = cursor.fetchone()
        cursor.execute("SELECT data, key FROM channels_contactevent")
        events = cursor.fetchall()
    assert raw and PHONE not in raw and "8000" not in raw
    assert all(PHONE not in str(row) for row in events)


@pytest.mark.django_db
def test_an_event_id_reused_for_another_kind_of_event_is_a_409(pbx, agent):
    send(pbx, call_id="call-11", event="ringing", at=at(0), agent="agent", event_id="e-1")
    before = timing(Contact.objects.get(external_id="call-11"))
    clash = send(pbx, call_id="call-11", event="answered", at=at(5), agent="agent", event_id="e-1")
    assert clash.status_code == 409, clash.content
    body = clash.json()
    assert body["error"] == "conflict" and body["field"] == "event_id"
    assert "'e-1'" in body["detail"] and "'ringing'" in body["detail"]
    contact = Contact.objects.get(external_id="call-11")
    assert timing(contact) == before and contact.events.count() == 1  # nothing written
    # The same id for the same kind of event is still a repeat, whatever its time.
    again = send(pbx, call_id="call-11", event="ringing", at=at(3), agent="agent", event_id="e-1")
    assert again.status_code == 200 and again.json()["created"] is False
    # Event ids belong to their call: another call may use e-1 for anything.
    other = send(pbx, call_id="call-12", event="answered", at=at(5), event_id="e-1")
    assert other.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("ringing_first", [True, False], ids=["ringing-first", "answered-first"])
def test_an_answer_before_the_ringing_is_a_422_on_at(pbx, agent, ringing_first):
    """ACC-1: answered 10:00:10 and ringing 10:00:20 would be a wait of −10 s, i.e. "answered
    within target". Whichever of the two arrives second is refused; the first one stands."""
    ringing = {"call_id": "call-13", "event": "ringing", "at": at(20), "agent": "agent"}
    answered = {"call_id": "call-13", "event": "answered", "at": at(10), "agent": "agent"}
    first, second = (ringing, answered) if ringing_first else (answered, ringing)
    assert send(pbx, **first).status_code == 201
    contact = Contact.objects.get(external_id="call-13")
    before = timing(contact)
    refused = send(pbx, **second)
    assert refused.status_code == 422, refused.content
    assert refused.json()["error"] == "invalid" and refused.json()["field"] == "at"
    assert timing(contact) == before and contact.events.count() == 1
    assert contact.wait_seconds is None
    # The PBX corrects its clock: the same event at a consistent time is accepted.
    fixed = {**second, "at": at(25) if second is answered else at(5)}
    accepted = send(pbx, **fixed)
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["wait_seconds"] == 5.0


@pytest.mark.django_db
def test_answered_at_the_ringing_instant_and_a_later_ringing_are_accepted(pbx, agent, other_agent):
    send(pbx, call_id="call-14", event="ringing", at=at(0), agent="agent")
    same = send(pbx, call_id="call-14", event="answered", at=at(0), agent="agent")
    assert same.status_code == 201 and same.json()["wait_seconds"] == 0.0
    # After a transfer the PBX may ring the next agent: that is not the call's first ringing.
    again = send(pbx, call_id="call-14", event="ringing", at=at(60), agent="other_agent")
    assert again.status_code == 201, again.content
    assert again.json()["wait_seconds"] == 0.0 and again.json()["agent"] == "other_agent"


@pytest.mark.django_db
def test_a_state_event_before_the_ringing_creates_the_call_and_says_so(pbx, agent):
    """Out-of-order delivery: ``ended``, ``held`` or ``answered`` may overtake ``ringing``."""
    ended = send(pbx, call_id="call-15", event="ended", at=at(300))
    assert ended.status_code == 201 and ended.json()["call_created"] is True
    assert ended.json()["offered_at"] is None and ended.json()["state"] == "ended"
    answered = send(pbx, call_id="call-15", event="answered", at=at(8), agent="agent")
    assert answered.status_code == 201 and answered.json()["call_created"] is False
    ringing = send(pbx, call_id="call-15", event="ringing", at=at(0), agent="agent")
    assert ringing.json()["call_created"] is False and ringing.json()["wait_seconds"] == 8.0
    repeat = send(pbx, call_id="call-15", event="ended", at=at(300))
    assert repeat.status_code == 200 and repeat.json()["call_created"] is False
    first = send(pbx, call_id="call-16", event="ringing", at=at(0))
    assert first.json()["call_created"] is True


@pytest.mark.django_db
def test_a_recording_file_is_removed_when_the_event_fails_after_writing_it(
    pbx, data_dir, monkeypatch
):
    """The file is written before the transaction commits; a failure after the write (here the
    audit record, the last step) rolls the rows back and must not leave the file behind."""
    from kefu.channels import services

    send(pbx, call_id="call-17", event="ringing", at=at(0), caller=PHONE)
    written: list[Path] = []
    real_write = services.encrypted_file_write

    def write_and_note(*args: Any, **kwargs: Any) -> Any:
        name, path = real_write(*args, **kwargs)
        written.append(path)
        return name, path

    def audit_fails(**kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "encrypted_file_write", write_and_note)
    monkeypatch.setattr(services, "audit_record", audit_fails)
    with pytest.raises(RuntimeError, match="audit store unavailable"):
        services.cti_event_record(
            actor=None,
            call_id="call-17",
            event="recording",
            at=T0 + dt.timedelta(seconds=301),
            recording=services.Upload("call.wav", WAV, "audio/wav"),
            disclosed=True,
        )
    assert len(written) == 1 and not written[0].exists()  # it was written, then removed
    assert not [p for p in Path(data_dir).rglob("*") if p.is_file()]
    assert not ContactRecording.objects.exists()
    assert not ContactEvent.objects.filter(kind="recording").exists()

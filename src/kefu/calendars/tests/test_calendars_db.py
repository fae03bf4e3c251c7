"""The default calendars, holiday data in the database, the CLI and the API."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from kefu.accounts.services import api_token_create
from kefu.audit.models import AuditEvent
from kefu.calendars.models import DateOverride, HolidayYear, WorkingCalendar
from kefu.calendars.selectors import calendar_clock, calendar_due
from kefu.calendars.services import calendar_override_set, calendar_year_import
from kefu.core.errors import InvalidInput

START = dt.datetime.fromisoformat("2026-09-30T10:00:00+08:00")


def due(calendar: str, start: str, duration: str) -> str:
    result = calendar_due(calendar, dt.datetime.fromisoformat(start), duration)
    return result.due_at.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat()


@pytest.mark.django_db
def test_migrations_create_office_with_china_holidays_and_24x7():
    office = WorkingCalendar.objects.get(name="office")
    assert office.follows_china_holidays and office.working_day_minutes == 480
    assert HolidayYear.objects.filter(calendar=office, year=2026).exists()
    national_day = DateOverride.objects.get(calendar=office, date=dt.date(2026, 10, 1))
    assert not national_day.is_working and national_day.name == "国庆节"
    make_up = DateOverride.objects.get(calendar=office, date=dt.date(2026, 10, 10))
    assert make_up.is_working and make_up.intervals == [["09:00", "12:00"], ["13:00", "18:00"]]
    assert WorkingCalendar.objects.get(name="24x7").always_open


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        ("2026-09-30T10:00:00+08:00", "1wd", "2026-10-08T10:00:00+08:00"),
        ("2026-09-30T10:00:00+08:00", "3wd", "2026-10-10T10:00:00+08:00"),
        ("2026-02-13T17:00:00+08:00", "2bh", "2026-02-14T10:00:00+08:00"),
        ("2026-09-30T10:00:00+08:00", "4h", "2026-09-30T14:00:00+08:00"),
        ("2026-09-30T10:00:00+08:00", "2d", "2026-10-02T10:00:00+08:00"),
        ("2026-11-27T17:30:00+08:00", "30m", "2026-11-27T18:00:00+08:00"),
    ],
)
def test_office_deadlines(start, duration, expected):
    assert due("office", start, duration) == expected


@pytest.mark.django_db
def test_24x7_counts_every_hour_as_business_time():
    assert due("24x7", "2026-09-30T23:00:00+08:00", "8bh") == "2026-10-01T07:00:00+08:00"
    assert due("24x7", "2026-09-30T23:00:00+08:00", "1wd") == "2026-10-01T23:00:00+08:00"


@pytest.mark.django_db
def test_importing_2027_removes_the_warning_and_changes_the_answer():
    before = calendar_due("office", dt.datetime.fromisoformat("2026-12-31T17:00:00+08:00"), "2bh")
    assert before.warnings and "2027" in before.warnings[0]
    office = WorkingCalendar.objects.get(name="office")
    calendar_year_import(
        actor=None,
        calendar=office,
        year=2027,
        holidays=[(dt.date(2027, 1, 1), "元旦")],
        workdays=[(dt.date(2027, 1, 2), "元旦调休上班")],
    )
    after = calendar_due("office", dt.datetime.fromisoformat("2026-12-31T17:00:00+08:00"), "2bh")
    assert after.warnings == []
    assert after.due_at == dt.datetime.fromisoformat("2027-01-02T10:00:00+08:00")
    assert AuditEvent.objects.filter(verb="calendar.year_import").exists()


@pytest.mark.django_db
def test_an_override_invalidates_the_cached_engine():
    office = WorkingCalendar.objects.get(name="office")
    first = calendar_clock("office")
    calendar_override_set(
        actor=None, calendar=office, date=dt.date(2026, 11, 30), is_working=False, name="停电"
    )
    assert calendar_clock("office") is not first
    assert due("office", "2026-11-27T17:00:00+08:00", "2bh") == "2026-12-01T10:00:00+08:00"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"is_working": True, "intervals": []}, "needs its working intervals"),
        ({"is_working": False, "intervals": [["09:00", "12:00"]]}, "no intervals"),
        ({"is_working": True, "intervals": [["12:00", "09:00"]]}, "ends before"),
        ({"is_working": True, "intervals": [["09:00", "12:00"], ["11:00", "13:00"]]}, "overlap"),
        ({"is_working": True, "intervals": [["9am", "12:00"]]}, "not an interval"),
    ],
)
def test_bad_overrides_are_refused(kwargs, message):
    office = WorkingCalendar.objects.get(name="office")
    with pytest.raises(InvalidInput, match=message):
        calendar_override_set(actor=None, calendar=office, date=dt.date(2026, 12, 5), **kwargs)


@pytest.mark.django_db
def test_cli_prints_deadline_last_and_warnings_on_stderr():
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "calendar",
        "due",
        "--calendar",
        "office",
        "--start",
        "2026-09-30T10:00:00+08:00",
        "--duration",
        "1wd",
        stdout=out,
        stderr=err,
    )
    assert out.getvalue().strip().splitlines()[-1] == "2026-10-08T10:00:00+08:00"
    assert err.getvalue() == ""
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "calendar",
        "due",
        "--calendar",
        "office",
        "--start",
        "2027-03-01T10:00:00+08:00",
        "--duration",
        "1bh",
        stdout=out,
        stderr=err,
    )
    assert out.getvalue().strip().splitlines()[-1] == "2027-03-01T11:00:00+08:00"
    assert "no holiday data for 2027" in err.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--calendar", "nope", "--start", "2026-09-30T10:00:00+08:00", "--duration", "1wd"],
            "no working calendar",
        ),
        (["--calendar", "office", "--start", "2026-09-30T10:00:00", "--duration", "1wd"], "offset"),
        (["--calendar", "office", "--start", "yesterday", "--duration", "1wd"], "ISO 8601"),
        (
            [
                "--calendar",
                "office",
                "--start",
                "2026-09-30T10:00:00+08:00",
                "--duration",
                "1 week",
            ],
            "not a duration",
        ),
    ],
)
def test_cli_errors_are_clear(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("calendar", "due", *args, stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db
def test_cli_imports_a_year_from_yaml(tmp_path):
    path = tmp_path / "2027.yaml"
    path.write_text(
        "year: 2027\nholidays:\n  - {from: 2027-02-06, to: 2027-02-13, name: 春节}\nworkdays:\n  - {date: 2027-02-14, name: 春节调休上班}\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("calendar", "import", "--calendar", "office", str(path), stdout=out)
    assert "8 holidays, 1 make-up workdays" in out.getvalue()
    assert due("office", "2027-02-05T17:00:00+08:00", "2bh") == "2027-02-14T10:00:00+08:00"
    path.write_text("year: 2027\nholidays:\n  - {date: 2027-13-01}\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"holidays\[0\]"):
        call_command("calendar", "import", "--calendar", "office", str(path), stdout=io.StringIO())


@pytest.mark.django_db
def test_missing_year_alerts_administrators_once(agent):
    from kefu.accounts.roles import Role
    from kefu.notify.models import Notification
    from kefu.tests_support.factories import UserFactory

    administrator = UserFactory(username="sysadmin", roles=[Role.ADMIN])
    _, key = api_token_create(actor=None, user=agent)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    body = {"start": "2027-05-06T10:00:00+08:00", "duration": "1wd"}
    for _ in range(2):
        assert (
            client.post(
                "/api/v1/calendars/office/due", body, content_type="application/json"
            ).status_code
            == 200
        )
    call_command(
        "calendar",
        "due",
        "--calendar",
        "office",
        "--start",
        "2027-06-01T10:00:00+08:00",
        "--duration",
        "1bh",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    alerts = Notification.objects.filter(kind="calendar_missing:office:2027")
    assert [alert.recipient for alert in alerts] == [administrator]
    assert "2027" in alerts[0].title


@pytest.mark.django_db
def test_api_due(agent):
    _, key = api_token_create(actor=None, user=agent)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = client.post(
        "/api/v1/calendars/office/due",
        {"start": "2026-09-30T10:00:00+08:00", "duration": "1wd"},
        content_type="application/json",
    )
    assert response.json() == {"due_at": "2026-10-08T10:00:00+08:00", "warnings": []}
    future = client.post(
        "/api/v1/calendars/office/due",
        {"start": "2027-05-06T10:00:00+08:00", "duration": "1wd"},
        content_type="application/json",
    ).json()
    assert future["due_at"] == "2027-05-07T10:00:00+08:00" and "2027" in future["warnings"][0]

    assert (
        client.post(
            "/api/v1/calendars/office/due",
            {"start": "2026-09-30T10:00:00", "duration": "1wd"},
            content_type="application/json",
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/api/v1/calendars/office/due",
            {"start": "2026-09-30T10:00:00+08:00", "duration": "soon"},
            content_type="application/json",
        ).json()["field"]
        == "duration"
    )
    assert (
        client.post(
            "/api/v1/calendars/mars/due",
            {"start": "2026-09-30T10:00:00+08:00", "duration": "1h"},
            content_type="application/json",
        ).status_code
        == 404
    )

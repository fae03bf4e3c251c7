"""Every configuration and inspection screen opens for an administrator."""

from __future__ import annotations

import pytest

SCREENS = [
    "/admin/accounts/user/",
    "/admin/accounts/team/",
    "/admin/accounts/department/",
    "/admin/tickets/category/",
    "/admin/audit/auditevent/",
    "/admin/audit/accessevent/",
    "/admin/calendars/workingcalendar/",
    "/admin/calendars/dateoverride/",
    "/admin/standard/profileversion/",
    "/admin/sla/clock/",
    "/admin/sla/clockevent/",
    "/admin/notify/outboundmessage/",
    "/admin/notify/notification/",
    "/admin/core/taskrun/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", SCREENS)
def test_admin_screen_opens(admin_client, url):
    assert admin_client.get(url).status_code == 200


@pytest.mark.django_db
def test_manager_can_browse_the_audit_trail_but_not_edit_it(client, manager):
    client.force_login(manager)
    assert client.get("/admin/audit/auditevent/?verb=customer.create").status_code == 200
    assert client.get("/admin/audit/auditevent/add/").status_code == 403


@pytest.mark.django_db
def test_calendar_edit_in_admin_bumps_the_version(admin_client):
    import datetime as dt

    from kefu.calendars.models import WorkingCalendar

    office = WorkingCalendar.objects.get(name="office")
    response = admin_client.post(
        "/admin/calendars/dateoverride/add/",
        {
            "calendar": office.pk,
            "date": "2026-12-24",
            "is_working": "",
            "intervals": "[]",
            "name": "年终盘点",
            "source": "manual",
        },
    )
    assert response.status_code == 302, response.content[:400]
    assert WorkingCalendar.objects.get(pk=office.pk).version > office.version
    assert office.overrides.filter(date=dt.date(2026, 12, 24)).exists()

"""factory_boy factories and service-backed builders for tests."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.models import Group

from kefu.accounts.models import Department, Team, User
from kefu.customers.models import Customer
from kefu.customers.services import customer_create
from kefu.tickets.models import Ticket
from kefu.tickets.services import ticket_create

TEST_PASSWORD = "test-password-123"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"团队{n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"部门{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"员工{n}")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            roles = Group.objects.filter(name__in=list(extracted))
            self.groups.set(roles)  # type: ignore[attr-defined]
            # As user_create does: managers and administrators use the configuration screens.
            if {"manager", "admin"} & set(extracted):
                self.is_staff = True
                self.save()  # type: ignore[attr-defined]


def make_customer(*, actor: User, name: str = "王芳", **kwargs: Any) -> Customer:
    return customer_create(actor=actor, name=name, **kwargs)


def make_ticket(*, actor: User, **kwargs: Any) -> Ticket:
    values: dict[str, Any] = {
        "subject": "冰箱不制冷",
        "category": "after_sales.repair",
        "channel": "phone",
        "description": "客户反映新买的冰箱不制冷。",
    }
    values.update(kwargs)
    return ticket_create(actor=actor, **values)

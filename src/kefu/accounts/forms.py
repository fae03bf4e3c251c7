"""Forms of the staff and team management pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import SkillLevel, Team, User
from kefu.accounts.roles import Role


class UserForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label=_("No team"),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    skill_level = forms.ChoiceField(label=_("Skill level"), choices=SkillLevel.choices)
    certification_level = forms.IntegerField(
        label=_("Certification level (1–5)"), min_value=1, max_value=5
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)


class UserCreateForm(UserForm):
    username = forms.RegexField(
        label=_("User name"),
        regex=r"^[\w.@+-]+\Z",
        max_length=150,
        error_messages={"invalid": _("Use letters, digits and @/./+/-/_ only.")},
    )
    employee_number = forms.CharField(label=_("Employee number"), max_length=32, required=False)
    password = forms.CharField(
        label=_("Initial password"), widget=forms.PasswordInput, min_length=8, max_length=128
    )

    field_order = ["username", "display_name", "employee_number", "password"]


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=100)
    lead = forms.ModelChoiceField(
        label=_("Team lead"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        empty_label=_("No lead yet"),
    )

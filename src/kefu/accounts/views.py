"""Manager pages: the staff list, a member's profile and roles, and teams."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.forms import TeamForm, UserCreateForm, UserForm
from kefu.accounts.models import Team, User
from kefu.accounts.selectors import user_roles
from kefu.accounts.services import (
    team_create,
    team_set_lead,
    user_create,
    user_set_roles,
    user_update,
)
from kefu.core.errors import KefuError
from kefu.core.web import explain


@login_required
@permission_required("accounts.view_user", raise_exception=True)
def user_list_page(request: HttpRequest) -> HttpResponse:
    users = list(
        User.objects.select_related("team").prefetch_related("groups").order_by("username")
    )
    rows = [
        {"user": user, "roles": sorted(group.name for group in user.groups.all())} for user in users
    ]
    return render(
        request,
        "accounts/users.html",
        {"rows": rows, "may_change": request.user.has_perm("accounts.change_user")},
    )


def _form_error(form: UserForm | UserCreateForm | TeamForm, error: KefuError) -> None:
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, explain(error))


@login_required
@permission_required("accounts.add_user", raise_exception=True)
def user_new_page(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(
        request.POST if request.method == "POST" else None,
        initial={"skill_level": "junior", "certification_level": 1, "is_active": True},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_create(
                actor=request.user,
                username=data["username"],
                password=data["password"],
                display_name=data["display_name"],
                roles=data["roles"],
                team=data["team"],
                employee_number=data["employee_number"] or None,
                skill_level=data["skill_level"],
                certification_level=data["certification_level"],
            )
        except KefuError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("User %(name)s created.") % {"name": user.username})
            return redirect("manage-users")
    return render(request, "accounts/user_form.html", {"form": form, "subject": None})


@login_required
@permission_required("accounts.change_user", raise_exception=True)
def user_edit_page(request: HttpRequest, user_id: int) -> HttpResponse:
    subject = User.objects.select_related("team").filter(pk=user_id).first()
    if subject is None:
        raise Http404(_("No such user."))
    initial = {
        "display_name": subject.display_name,
        "team": subject.team_id,
        "roles": sorted(user_roles(subject)),
        "skill_level": subject.skill_level,
        "certification_level": subject.certification_level,
        "is_active": subject.is_active,
    }
    form = UserForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                user_update(
                    actor=request.user,
                    user=subject,
                    display_name=data["display_name"],
                    team=data["team"],
                    skill_level=data["skill_level"],
                    certification_level=data["certification_level"],
                    is_active=data["is_active"],
                )
                if set(data["roles"]) != set(user_roles(subject)):
                    user_set_roles(actor=request.user, user=subject, roles=data["roles"])
        except KefuError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("User %(name)s saved.") % {"name": subject.username})
            return redirect("manage-users")
    return render(request, "accounts/user_form.html", {"form": form, "subject": subject})


@login_required
@permission_required("accounts.view_team", raise_exception=True)
def team_list_page(request: HttpRequest) -> HttpResponse:
    teams = Team.objects.select_related("lead").annotate(size=Count("members")).order_by("name")
    return render(
        request,
        "accounts/teams.html",
        {
            "teams": teams,
            "form": TeamForm(),
            "may_change": request.user.has_perm("accounts.change_team"),
            "users": User.objects.filter(is_active=True).order_by("username"),
        },
    )


@login_required
@permission_required("accounts.add_team", raise_exception=True)
@require_POST
def team_new(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            team_create(
                actor=request.user, name=form.cleaned_data["name"], lead=form.cleaned_data["lead"]
            )
        except KefuError as error:
            messages.error(request, explain(error))
        else:
            messages.success(request, _("Team created."))
    else:
        messages.error(request, _("A team needs a name."))
    return redirect("manage-teams")


@login_required
@permission_required("accounts.change_team", raise_exception=True)
@require_POST
def team_lead(request: HttpRequest, team_id: int) -> HttpResponse:
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise Http404(_("No such team."))
    lead_id = request.POST.get("lead", "")
    try:
        lead = User.objects.filter(pk=int(lead_id), is_active=True).first() if lead_id else None
    except (ValueError, OverflowError):
        lead = None
    if lead_id and lead is None:
        messages.error(request, _("Choose an active member of staff as the lead."))
    else:
        team_set_lead(actor=request.user, team=team, lead=lead)
        messages.success(request, _("Team lead saved."))
    return redirect("manage-teams")

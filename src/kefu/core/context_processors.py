"""What every workspace page needs: the navigation the user's roles allow."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kefu.accounts.selectors import user_roles
from kefu.assist.bot_selectors import may_read_bot_report
from kefu.assist.classification_selectors import may_manage_classifier


def workspace(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = user_roles(user)
    return {
        "nav": {
            "roles": sorted(roles),
            "new_ticket": user.has_perm("tickets.add_ticket"),
            "sla": True,
            "compliance": bool(roles & {"team_lead", "manager", "admin", "qa_specialist"}),
            "audit": user.has_perm("audit.view_auditevent"),
            "users": user.has_perm("accounts.view_user"),
            "teams": user.has_perm("accounts.view_team"),
            "admin": user.is_staff,
            "complaints": user.has_perm("complaints.view_complaint"),
            "improvements": user.has_perm("complaints.view_improvement"),
            "notice_templates": user.has_perm("notify.view_noticetemplate"),
            "outbox": user.has_perm("notify.view_outboundmessage"),
            # Every channel's contacts in one list, and the live wallboard for leads (TEC-8).
            "inbox": user.has_perm("channels.view_contact")
            and bool(roles & {"agent", "team_lead", "complaint_specialist", "manager", "admin"}),
            "wallboard": bool(roles & {"team_lead", "manager", "admin"}),
            # Agents at a phone see the call ringing at their desk (ACC-2).
            "calls": bool(roles & {"agent", "team_lead", "complaint_specialist"}),
            # Agents and team leads answer web chats (TEC-7).
            "chat": bool(roles & {"agent", "team_lead"}),
            # Quality (QA-1…5): agents see their own results; QA runs inspections and rules.
            "qa": {
                "inspections": bool(
                    roles & {"agent", "team_lead", "qa_specialist", "manager", "admin"}
                ),
                "calibrations": bool(roles & {"qa_specialist", "manager", "admin"}),
                "sampling": "admin" in roles or user.has_perm("quality.assign_inspection"),
                "rules": bool(roles & {"qa_specialist", "manager", "admin"}),
                "insights": bool(
                    roles & {"team_lead", "qa_specialist", "trainer", "manager", "admin"}
                ),
                "scripts": user.has_perm("knowledge.view_script"),
                "training": user.has_perm("people.view_trainingtopic"),
            },
            # The FAQ bot's deflection report (TEC-2) and the ticket classifier (TEC-4).
            "assist": {
                "bot": may_read_bot_report(user),
                "classification": may_manage_classifier(user),
            },
        },
    }

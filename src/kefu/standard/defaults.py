"""The DEFAULT profile's SLA milestones (STANDARD.md HND-2, HND-3, HND-5…7, ACC-4, CLS-3)."""

from __future__ import annotations

from typing import Any

from kefu.standard.catalog import default_parameters

ESCALATE = [
    {"after": "0m", "action": "notify_assignee"},
    {"after": "30m", "action": "notify_team_lead"},
    {"after": "2h", "action": "notify_manager"},
]
ONLINE_CHANNELS = ["chat", "wechat", "portal"]


def _milestone(key: str, rule: str, title: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "key": key,
        "rule": rule,
        "title": title,
        "start": "ticket_created",
        "stop": "first_public_reply",
        "notice": None,
        "pause_statuses": [],
        "target": key,
        "calendar": "24x7",
        "applies_to": {},
        "warn_at_percent": 80,
        "recurring": False,
        "escalation": ESCALATE,
    }
    base.update(fields)
    return base


DEFAULT_MILESTONES: list[dict[str, Any]] = [
    _milestone(
        "first_response_urgent", "HND-3", "首次响应（紧急）", applies_to={"urgency": ["urgent"]}
    ),
    _milestone(
        "first_response_normal", "HND-3", "首次响应（一般）", applies_to={"urgency": ["normal"]}
    ),
    _milestone(
        "first_response_consult", "HND-3", "首次响应（咨询）", applies_to={"urgency": ["consult"]}
    ),
    _milestone(
        "first_response_online",
        "ACC-4",
        "在线渠道首次响应",
        target="online_first_response",
        applies_to={"channel": ONLINE_CHANNELS},
    ),
    _milestone(
        "instant_solution",
        "HND-2",
        "即时解决",
        stop="ticket_resolved",
        applies_to={"handling_class": ["instant"]},
        escalation=[{"after": "0m", "action": "notify_team_lead"}],
    ),
    _milestone(
        "transfer_routing",
        "HND-2",
        "转办内部流转",
        stop="department_routed",
        calendar="office",
        applies_to={"handling_class": ["transfer"]},
    ),
    _milestone(
        "need_confirmation",
        "HND-5",
        "需求确认函",
        stop="notice_sent",
        notice="need_confirmation",
        target="need_confirmation_letter",
        applies_to={"handling_class": ["transfer"]},
    ),
    _milestone(
        "progress_update",
        "HND-6",
        "处理进度同步",
        stop="public_reply",
        target="progress_update_every",
        recurring=True,
        pause_statuses=["pending_customer"],
        applies_to={"handling_class": ["transfer"]},
    ),
    _milestone(
        "result_notice",
        "HND-7",
        "处理结果反馈",
        start="ticket_resolved",
        stop="notice_sent",
        notice="result",
        applies_to={"handling_class": ["transfer"]},
    ),
    _milestone(
        "record_complete",
        "CLS-3",
        "工单记录完整",
        stop="record_completed",
        target="record_complete_within",
        escalation=[
            {"after": "0m", "action": "notify_assignee"},
            {"after": "1h", "action": "notify_team_lead"},
        ],
    ),
]


def default_document() -> dict[str, Any]:
    return {"parameters": default_parameters(), "milestones": DEFAULT_MILESTONES}

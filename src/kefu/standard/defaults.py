"""The DEFAULT profile's SLA milestones (STANDARD.md HND-2, HND-3, HND-5…7, ACC-4, CLS-3, CMP-1…5)
and its quality rules (QA-3, SCR-2…5: :data:`kefu.quality.defaults.DEFAULT_RULES`)."""

from __future__ import annotations

import copy
from typing import Any

from kefu.quality.defaults import DEFAULT_RULES
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


COMPLAINTS = {"category_root": ["complaint"]}
COMPLAINT_ESCALATE = [
    {"after": "0m", "action": "notify_assignee"},
    {"after": "30m", "action": "notify_team_lead"},
    {"after": "1h", "action": "notify_manager"},
]

# The complaint closed loop (CMP-1…5, ORG-2). "complaint_received" is the moment the center got
# the complaint: the creation of a complaint ticket, or the received time given at registration.
COMPLAINT_MILESTONES: list[dict[str, Any]] = [
    _milestone(
        "complaint_register",
        "CMP-1",
        "投诉登记",
        start="complaint_received",
        stop="complaint_registered",
        target="complaint_register_within",
        applies_to=COMPLAINTS,
        escalation=COMPLAINT_ESCALATE,
    ),
    _milestone(
        "complaint_investigation",
        "CMP-2",
        "投诉调查",
        start="complaint_received",
        stop="complaint_investigated",
        target="complaint_investigation_within",
        applies_to=COMPLAINTS,
        escalation=COMPLAINT_ESCALATE,
    ),
    _milestone(
        "complaint_plan_notice",
        "CMP-2",
        "初步方案告知客户",
        start="complaint_received",
        stop="notice_sent",
        notice="plan",
        target="complaint_investigation_within",
        applies_to=COMPLAINTS,
        escalation=COMPLAINT_ESCALATE,
    ),
    _milestone(
        "complaint_final_solution",
        "CMP-3",
        "最终解决方案",
        start="complaint_received",
        stop="complaint_solved",
        target="complaint_final_solution_within",
        calendar="office",
        applies_to=COMPLAINTS,
        escalation=COMPLAINT_ESCALATE,
    ),
    _milestone(
        "complaint_general_solution",
        "CMP-5",
        "一般投诉解决",
        start="complaint_received",
        stop="complaint_solved",
        target="complaint_general_solution_within",
        applies_to={**COMPLAINTS, "complaint_severity": ["general"]},
        escalation=COMPLAINT_ESCALATE,
    ),
    _milestone(
        "complaint_major_handling",
        "CMP-5",
        "重大投诉协同处理",
        start="complaint_received",
        stop="complaint_solved",
        target="complaint_major_handling_within",
        applies_to={**COMPLAINTS, "complaint_severity": ["major"]},
        escalation=COMPLAINT_ESCALATE,
    ),
    _milestone(
        "complaint_rectification",
        "CMP-4",
        "整改落实",
        start="complaint_solved",
        stop="complaint_rectified",
        target="complaint_rectification_within",
        calendar="office",
        applies_to=COMPLAINTS,
        escalation=COMPLAINT_ESCALATE,
    ),
    _milestone(
        "complaint_rectification_notice",
        "CMP-4",
        "整改结果告知客户",
        start="complaint_rectified",
        stop="notice_sent",
        notice="rectification",
        target="result_notice",
        applies_to=COMPLAINTS,
        escalation=COMPLAINT_ESCALATE,
    ),
    _milestone(
        "complaint_department_reply",
        "ORG-2",
        "责任部门回复",
        start="department_asked",
        stop="department_replied",
        target="complaint_department_reply_within",
        applies_to=COMPLAINTS,
        escalation=[
            {"after": "0m", "action": "notify_department"},
            {"after": "2h", "action": "notify_assignee"},
            {"after": "4h", "action": "notify_manager"},
        ],
    ),
]
DEFAULT_MILESTONES.extend(COMPLAINT_MILESTONES)


def default_document() -> dict[str, Any]:
    return {
        "parameters": default_parameters(),
        "milestones": DEFAULT_MILESTONES,
        "quality_rules": copy.deepcopy(DEFAULT_RULES),
    }

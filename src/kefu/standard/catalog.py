"""Every number of the service standard that kefu enforces or reports, tied to its rule ID.

This catalog is the schema of a standard profile: it names each parameter, its kind, its
default (the DEFAULT profile of STANDARD.md; where two sources disagree the first is the
default) and where kefu uses it. A profile document is validated against it, so a typo in an
imported YAML file is an error, not a silently ignored setting.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Parameter:
    key: str
    rule: str
    kind: str  # duration | percent | count | seconds
    default: str | int | float
    title: str
    enforced_by: str


P = Parameter

PARAMETERS: tuple[Parameter, ...] = (
    P(
        "answer_within_seconds",
        "ACC-1",
        "seconds",
        15,
        "人工坐席在IVR转接后15秒内应答",
        "call answer time (channels)",
    ),
    P(
        "priority_a_answer_seconds",
        "ACC-4",
        "seconds",
        30,
        "A类优先客户30秒内应答",
        "call answer time (channels)",
    ),
    P(
        "online_first_response",
        "ACC-4",
        "duration",
        "5m",
        "在线渠道首次响应≤5分钟",
        "SLA milestone first_response_online",
    ),
    P("average_response_target", "ACC-5", "duration", "15m", "平均响应时间目标15分钟", "reports"),
    P(
        "need_capture_seconds",
        "HND-1",
        "seconds",
        30,
        "客户陈述后30秒内明确核心需求",
        "quality inspection",
    ),
    P(
        "instant_solution",
        "HND-2",
        "duration",
        "3m",
        "即时解决类3分钟内解答",
        "SLA milestone instant_solution",
    ),
    P(
        "transfer_routing",
        "HND-2",
        "duration",
        "1wd",
        "转办类1个工作日内内部流转",
        "SLA milestone transfer_routing",
    ),
    P(
        "transfer_feedback_promise",
        "HND-2",
        "duration",
        "24h",
        "告知客户反馈时限（如24小时内）",
        "reply templates",
    ),
    P(
        "first_response_urgent",
        "HND-3",
        "duration",
        "1h",
        "紧急问题首次响应≤1小时",
        "SLA milestone first_response_urgent",
    ),
    P(
        "first_response_normal",
        "HND-3",
        "duration",
        "4h",
        "一般问题首次响应≤4小时",
        "SLA milestone first_response_normal",
    ),
    P(
        "first_response_consult",
        "HND-3",
        "duration",
        "24h",
        "咨询类首次响应≤24小时",
        "SLA milestone first_response_consult",
    ),
    P("response_rate_target", "HND-3", "percent", 100, "响应率100%", "reports"),
    P("overdue_response_max", "HND-3", "percent", 5, "超时响应≤5%", "reports"),
    P("process_compliance_target", "HND-4", "percent", 98, "流程执行合规率≥98%", "reports"),
    P(
        "need_confirmation_letter",
        "HND-5",
        "duration",
        "2h",
        "需求确认函2小时内发出",
        "SLA milestone need_confirmation",
    ),
    P(
        "progress_update_every",
        "HND-6",
        "duration",
        "3d",
        "处理中每3天向客户同步进度",
        "SLA milestone progress_update (recurring)",
    ),
    P(
        "result_notice",
        "HND-7",
        "duration",
        "24h",
        "解决后24小时内反馈结果",
        "SLA milestone result_notice",
    ),
    P("record_completeness_target", "HND-10", "percent", 98, "服务记录表完整率≥98%", "reports"),
    P(
        "record_complete_within",
        "CLS-3",
        "duration",
        "2h",
        "通话结束后2小时内完成工单记录",
        "SLA milestone record_complete",
    ),
    P(
        "complaint_register_within",
        "CMP-1",
        "duration",
        "1h",
        "投诉1小时内登记",
        "complaint milestones",
    ),
    P(
        "complaint_investigation_within",
        "CMP-2",
        "duration",
        "24h",
        "24小时内完成调查",
        "complaint milestones",
    ),
    P(
        "complaint_final_solution_within",
        "CMP-3",
        "duration",
        "3wd",
        "复杂投诉3个工作日内给出最终方案",
        "complaint milestones",
    ),
    P(
        "complaint_rectification_within",
        "CMP-4",
        "duration",
        "5wd",
        "5个工作日内完成整改",
        "complaint milestones",
    ),
    P(
        "complaint_general_solution_within",
        "CMP-5",
        "duration",
        "1h",
        "一般投诉1小时内解决",
        "complaint milestones",
    ),
    P(
        "complaint_major_handling_within",
        "CMP-5",
        "duration",
        "48h",
        "重大投诉48小时内协同处理",
        "complaint milestones",
    ),
    P(
        "complaint_department_reply_within",
        "ORG-2",
        "duration",
        "24h",
        "责任部门24小时内回复投诉协办",
        "complaint milestones",
    ),
    P("complaint_resolution_target", "CMP-5", "percent", 95, "投诉解决率≥95%", "reports"),
    P("complaint_rate_max", "CMP-6", "percent", 2, "投诉率≤2%", "reports"),
    P("qa_complaint_coverage", "QA-2", "percent", 100, "投诉工单100%质检", "quality sampling"),
    P("qa_ordinary_coverage_min", "QA-2", "percent", 20, "普通工单抽检下限20%", "quality sampling"),
    P("qa_ordinary_coverage_max", "QA-2", "percent", 30, "普通工单抽检上限30%", "quality sampling"),
    P("qa_pass_target", "QA-4", "percent", 90, "质检合格率≥90%", "reports"),
    P(
        "qa_appeal_window",
        "QA-2",
        "duration",
        "72h",
        "坐席对质检结果的申诉期限（默认72小时）",
        "quality inspection appeals",
    ),
    P("survey_within", "SUR-1", "duration", "30m", "服务后30分钟内发送满意度调查", "surveys"),
    P(
        "satisfaction_followup_within",
        "SUR-1",
        "duration",
        "7d",
        "解决后1周内满意度回访",
        "surveys",
    ),
    P("monthly_survey_share", "SUR-2", "percent", 5, "每月抽样5%服务客户调查", "surveys"),
    P("dissatisfied_callback_share", "SUR-3", "percent", 100, "不满意客户100%回访", "surveys"),
    P("second_followup_within", "SUR-3", "duration", "48h", "48小时内二次跟进", "surveys"),
    P("second_round_resolution_target", "SUR-3", "percent", 85, "二次解决率≥85%", "reports"),
    P("csat_target", "SUR-4", "percent", 95, "客户满意度≥95%", "reports"),
    P("very_satisfied_target", "SUR-4", "percent", 60, "非常满意占比≥60%", "reports"),
    P("nps_target", "SUR-4", "count", 20, "NPS目标+20", "reports"),
    P("answer_rate_target", "PRF-1", "percent", 95, "接通率≥95%", "reports"),
    P(
        "average_handle_time_max",
        "PRF-1",
        "duration",
        "8m",
        "平均处理时长≤8分钟（复杂问题除外）",
        "reports",
    ),
    P("on_time_completion_target", "PRF-1", "percent", 98, "工单按时完成率≥98%", "reports"),
    P("first_contact_resolution_target", "PRF-4", "percent", 90, "首次解决率≥90%", "reports"),
    P("service_error_rate_max", "PRF-5", "percent", 2, "服务差错率≤2%", "reports"),
    P("weekly_hours_max", "WFM-1", "count", 40, "每人每周工时≤40小时", "rosters"),
    P("faq_accuracy_target", "TEC-2", "percent", 90, "FAQ准确率≥90%", "assist reports"),
    P("deflection_target", "TEC-2", "percent", 60, "简单咨询分流率≥60%", "assist reports"),
    P("intent_recognition_target", "TEC-2", "percent", 92, "意图识别准确率≥92%", "assist reports"),
    P("recording_retention", "SEC-2", "duration", "1095d", "录音保存不超过3年", "retention"),
)

BY_KEY = {parameter.key: parameter for parameter in PARAMETERS}
RULE_IDS = sorted({parameter.rule for parameter in PARAMETERS})


def default_parameters() -> dict[str, str | int | float]:
    return {parameter.key: parameter.default for parameter in PARAMETERS}

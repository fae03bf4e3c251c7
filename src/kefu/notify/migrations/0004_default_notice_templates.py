"""The default customer notice templates, in Chinese (HND-5…7, CMP-2, CMP-4).

Administrators edit them afterwards; a template that exists is never overwritten.
"""

from django.db import migrations
from django.utils import timezone

SIGNATURE = "\n\n此致\n{center}"
TEMPLATES = {
    ("need_confirmation", "sms"): (
        "",
        "【{center}】{customer_name}您好，您反映的问题（工单{ticket_number}）已受理。我们理解您的"
        "诉求是：{need}。处理方案：{solution}。我们将于{due}前给您明确答复。",
    ),
    ("need_confirmation", "email"): (
        "需求确认函（工单{ticket_number}）",
        "尊敬的{customer_name}：\n\n您好！感谢您联系{center}。现将我们对您需求的理解确认如下：\n\n"
        "您的需求：{need}\n处理方案：{solution}\n时间节点：{due}前给您明确答复\n\n"
        "如有理解不准确之处，请直接回复本邮件或致电我们。" + SIGNATURE,
    ),
    ("progress", "sms"): (
        "",
        "【{center}】{customer_name}您好，您的工单{ticket_number}正在处理中：{progress}。"
        "我们将于{due}前给您结果。",
    ),
    ("progress", "email"): (
        "处理进度（工单{ticket_number}）",
        "尊敬的{customer_name}：\n\n您好！您的工单{ticket_number}正在处理中，最新进度如下：\n\n"
        "{progress}\n\n我们将于{due}前给您处理结果。" + SIGNATURE,
    ),
    ("plan", "sms"): (
        "",
        "【{center}】{customer_name}您好，关于您的投诉（工单{ticket_number}），经调查，"
        "初步处理方案是：{plan}。如有疑问请随时联系我们。",
    ),
    ("plan", "email"): (
        "初步处理方案（工单{ticket_number}）",
        "尊敬的{customer_name}：\n\n您好！关于您反映的问题，我们已完成调查，初步处理方案如下：\n\n"
        "{plan}\n\n最终解决方案将于{due}前告知您。如有疑问，请直接回复本邮件。" + SIGNATURE,
    ),
    ("result", "sms"): (
        "",
        "【{center}】{customer_name}您好，您的工单{ticket_number}已处理完毕。处理结果：{solution}。"
        "改进措施：{improvement}。感谢您的反馈。",
    ),
    ("result", "email"): (
        "处理结果（工单{ticket_number}）",
        "尊敬的{customer_name}：\n\n您好！您反映的问题已处理完毕。\n\n处理结果：{solution}\n"
        "改进措施：{improvement}\n\n感谢您的反馈，帮助我们改进服务。" + SIGNATURE,
    ),
    ("rectification", "sms"): (
        "",
        "【{center}】{customer_name}您好，针对您反映的问题（工单{ticket_number}），我们已完成整改："
        "{rectification_result}。感谢您帮助我们改进服务。",
    ),
    ("rectification", "email"): (
        "整改结果（工单{ticket_number}）",
        "尊敬的{customer_name}：\n\n您好！针对您反映的问题，我们采取了以下改进措施：\n\n"
        "{improvement}\n\n整改结果：{rectification_result}\n\n感谢您帮助我们改进服务。" + SIGNATURE,
    ),
}


def create_templates(apps, schema_editor):
    Template = apps.get_model("notify", "NoticeTemplate")
    moment = timezone.now()
    for (kind, channel), (subject, body) in TEMPLATES.items():
        Template.objects.get_or_create(
            kind=kind,
            channel=channel,
            defaults={"subject": subject, "body": body, "updated_at": moment},
        )


def remove_templates(apps, schema_editor):
    Template = apps.get_model("notify", "NoticeTemplate")
    for (kind, channel), (subject, body) in TEMPLATES.items():
        Template.objects.filter(kind=kind, channel=channel, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("notify", "0003_customer_notices_and_encrypted_outbox")]
    operations = [migrations.RunPython(create_templates, remove_templates)]

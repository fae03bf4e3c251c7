"""Contacts of the demo center, brought in through the real channel services (TEC-7).

Today's calls arrive as CTI events (some answered within the ACC-1 target, some late, some
abandoned, one still ringing), customers write by e-mail, SMS and WeChat, and the agents have
a presence, so the inbox, the contact pages and the wallboard show a working day.
"""

from __future__ import annotations

import datetime as dt
import random
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any

from kefu.accounts.models import Team, User
from kefu.channels.email.inbound import email_receive
from kefu.channels.models import AgentPresence, ChatWidget, Presence
from kefu.channels.services import Segment, cti_event_record
from kefu.channels.sms_inbound import InboundSms, sms_inbound_receive
from kefu.channels.wechat import wechat_message_receive
from kefu.core.timeutils import now
from kefu.customers.identities import IdentityKind
from kefu.customers.models import Customer

CALL_TRANSCRIPT = (
    ("agent", "您好，这里是客服中心，工号0007，很高兴为您服务，请问有什么可以帮您？"),
    ("customer", "我上周买的空调到现在还没安装，打了两次电话都没人来。"),
    ("agent", "非常抱歉给您带来不便。我确认一下：您是想尽快安排空调上门安装，对吗？"),
    ("customer", "对，最好这周六上午。"),
    ("agent", "好的，我已为您登记周六上午的安装，师傅会提前一小时联系您。还有其他可以帮您的吗？"),
    ("customer", "没有了，谢谢。"),
    ("agent", "感谢您的来电，祝您生活愉快，再见！"),
)
MAILS = (
    ("订单迟迟未发货", "您好，我在12月1日下的订单到现在还没有发货，请帮忙查询一下，谢谢。"),
    ("发票抬头开错了", "你好，发票抬头应该是公司名称，麻烦重新开具电子发票。"),
    ("洗衣机噪音很大", "新买的滚筒洗衣机脱水时噪音特别大，是不是安装有问题？"),
    ("会员积分没有到账", "上个月的消费积分一直没有到账，请核实。"),
)
TEXTS = (
    "快递显示已签收，但我没有收到包裹",
    "请问退货运费谁承担？",
    "维修师傅约好今天下午来，现在还没到",
)
WECHAT = (
    "你好，我想查询一下我的退款进度",
    "电视屏幕出现竖线，还在保修期内吗？",
    "能开增值税专用发票吗？",
)


def _phone(customer: Customer) -> str:
    identity = customer.identities.filter(kind=IdentityKind.PHONE).first()
    return identity.value if identity else ""


def _email(customer: Customer) -> str:
    identity = customer.identities.filter(kind=IdentityKind.EMAIL).first()
    return identity.value if identity else ""


def seed_demo_presence(rng: random.Random, agents: list[User]) -> None:
    moment = now()
    states = [Presence.AVAILABLE, Presence.AVAILABLE, Presence.BUSY, Presence.AWAY]
    for agent in agents:
        AgentPresence.objects.update_or_create(
            user=agent,
            defaults={
                "status": rng.choice(states),
                "changed_at": moment,
                "last_seen_at": moment,
            },
        )


def seed_demo_calls(rng: random.Random, customers: list[Customer], agents: list[User]) -> int:
    """Today's calls as the PBX reports them: answered fast or late, abandoned, one ringing."""
    moment = now()
    made = 0
    for number in range(24):
        customer = rng.choice(customers)
        caller = _phone(customer) or f"139{rng.randint(0, 99_999_999):08d}"
        agent = rng.choice(agents)
        offered = moment - dt.timedelta(minutes=10 + number * 7, seconds=rng.randint(0, 59))
        call_id = f"demo-call-{number}"
        common: dict[str, Any] = {"actor": None, "call_id": call_id, "caller": caller}
        cti_event_record(event="ringing", at=offered, agent=agent.username, **common)
        if number % 8 == 5:  # the caller hung up while waiting
            end = offered + dt.timedelta(seconds=rng.randint(20, 60))
            cti_event_record(event="ended", at=end, **common)
            made += 1
            continue
        wait = rng.choice([4, 6, 8, 9, 11, 12, 14, 18, 25])
        answered = offered + dt.timedelta(seconds=wait)
        cti_event_record(event="answered", at=answered, agent=agent.username, **common)
        talk = rng.randint(90, 420)
        if number % 3 == 0:
            segments = []
            start = 0.0
            for speaker, text in CALL_TRANSCRIPT:
                length = max(2.0, len(text) / 4)
                segments.append(Segment(speaker, start, start + length, text))
                start += length + 0.5
            cti_event_record(
                event="transcript",
                at=answered + dt.timedelta(seconds=1),
                segments=segments,
                **common,
            )
        ended = answered + dt.timedelta(seconds=talk)
        cti_event_record(event="ended", at=ended, agent=agent.username, **common)
        made += 1
    waiting = rng.choice(customers)
    cti_event_record(
        actor=None,
        call_id="demo-call-waiting",
        event="ringing",
        at=moment - dt.timedelta(seconds=7),
        caller=_phone(waiting) or "13912345678",
    )
    return made + 1


def seed_demo_messages(rng: random.Random, customers: list[Customer]) -> int:
    """E-mail, SMS and WeChat messages from customers, each onto its contact and ticket."""
    made = 0
    for number, (subject, text) in enumerate(MAILS):
        customer = rng.choice(customers)
        address = _email(customer) or f"customer{number}@demo.example"
        mail = EmailMessage(policy=SMTP)
        mail["From"] = f"{customer.name} <{address}>"
        mail["To"] = "service@kefu.demo"
        mail["Subject"] = subject
        mail["Message-ID"] = f"<demo-mail-{number}@demo.example>"
        mail.set_content(text)
        email_receive(mail.as_bytes())
        made += 1
    for number, text in enumerate(TEXTS):
        customer = rng.choice(customers)
        phone = _phone(customer) or f"137{rng.randint(0, 99_999_999):08d}"
        sms = InboundSms(sender=phone, text=text, message_id=f"demo-{number}", received_at=None)
        sms_inbound_receive(sms=sms)
        made += 1
    for number, text in enumerate(WECHAT):
        fields = {
            "ToUserName": "gh_demo_account",
            "FromUserName": f"oDemoOpenid{number:04d}",
            "CreateTime": str(int(now().timestamp())),
            "MsgType": "text",
            "Content": text,
            "MsgId": f"9{number:015d}",
        }
        wechat_message_receive(fields=fields)
        made += 1
    return made


def seed_demo_widget(team: Team) -> ChatWidget:
    """The web chat of the demo shop: try it at /chat/preview/demo/ (open at any hour)."""
    return ChatWidget.objects.create(
        key="demo",
        name="官网在线客服",
        team=team,
        greeting="您好，欢迎咨询！请问有什么可以帮您？",
    )


def seed_demo_contacts(
    rng: random.Random, customers: list[Customer], agents: list[User], team: Team
) -> int:
    seed_demo_widget(team)
    seed_demo_presence(rng, agents)
    return seed_demo_calls(rng, customers, agents) + seed_demo_messages(rng, customers)

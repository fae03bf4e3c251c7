"""The e-mail part of ``kefu bench channels``: ``email_in_per_s`` = parse + thread + store.

Generated mail looks like customer mail: Chinese text in UTF-8 or GBK, some HTML, some with a
small attachment, two in five answering an earlier mail (a follow-up on its ticket), one in
twenty an auto-reply. Every mail goes through :func:`email_receive`, as the SMTP listener and
the IMAP poller hand it over.
"""

from __future__ import annotations

import random
import time
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any

from kefu.channels.email.inbound import email_receive
from kefu.channels.models import ContactMessage

TEXTS = (
    "您好，我家的洗衣机漏水，请尽快安排维修。",
    "订单一直没有发货，请帮忙查询物流。",
    "会员积分没有到账，麻烦核实一下。",
    "冰箱买了三天就不制冷了，要求换货。",
)


def bench_mails(count: int, rng: random.Random) -> list[bytes]:
    mails: list[bytes] = []
    for number in range(count):
        message = EmailMessage(policy=SMTP)
        customer = rng.randint(0, max(1, count // 3))
        message["From"] = f"客户{customer} <customer{customer}@bench.example>"
        message["To"] = "service@kefu.test"
        message["Message-ID"] = f"<bench-{number}@bench.example>"
        text = rng.choice(TEXTS) + f"（第 {number} 封）"
        if number >= 10 and rng.random() < 0.4:
            earlier = rng.randrange(0, number)
            message["Subject"] = "Re: 问题"
            message["In-Reply-To"] = f"<bench-{earlier}@bench.example>"
            message["References"] = f"<bench-{earlier}@bench.example>"
        else:
            message["Subject"] = f"问题 {number}"
        if rng.random() < 0.05:
            message["Auto-Submitted"] = "auto-replied"
        charset = "gb18030" if rng.random() < 0.3 else "utf-8"
        message.set_content(text, charset=charset)
        if rng.random() < 0.3:
            message.add_alternative(f"<p>{text}</p><script>x()</script>", subtype="html")
        if rng.random() < 0.1:
            message.add_attachment(
                rng.randbytes(2048), maintype="image", subtype="png", filename="照片.png"
            )
        mails.append(message.as_bytes())
    return mails


def measure_email(count: int, rng: random.Random) -> dict[str, Any]:
    """Receive ``count`` generated mails; run in a fresh data store (see the bench command)."""
    mails = bench_mails(count, rng)
    outcomes: dict[str, int] = {}
    began = time.perf_counter()
    for raw in mails:
        outcome = email_receive(raw).outcome
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    elapsed = time.perf_counter() - began
    stored = ContactMessage.objects.filter(external_id__startswith="bench-").count()
    if stored != count:
        raise RuntimeError(f"expected {count} stored e-mails, found {stored}")
    return {
        "email_in": count,
        "email_in_outcomes": outcomes,
        "email_in_per_s": round(count / elapsed, 1),
    }

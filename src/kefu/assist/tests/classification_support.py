"""Synthetic Chinese tickets for the classification tests (TEC-4): each category has its own
words, so a model that learns anything gets them right."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from kefu.assist import classification_services
from kefu.core.timeutils import now
from kefu.tickets.models import Category, Ticket
from kefu.tickets.states import TicketStatus

TEXTS = {
    "after_sales.refund": (
        "normal",
        [
            "申请退款，钱什么时候退回",
            "退款一直没有到账",
            "我要退款，订单取消了",
            "退款进度查询，退回银行卡",
            "商品退了，退款还没收到",
            "退款金额不对，少退了钱",
            "怎么申请退款退回余额",
            "退款被拒绝了为什么",
            "退款到账要几天",
            "取消订单后退款在哪里看",
            "退款申请提交失败",
            "请尽快给我退款",
        ],
    ),
    "after_sales.repair": (
        "urgent",
        [
            "冰箱坏了需要上门维修",
            "洗衣机不转了，维修师傅什么时候来",
            "空调漏水，请安排维修",
            "电视黑屏，要报修",
            "热水器坏了，维修预约",
            "维修师傅没有按时上门",
            "空调不制冷，需要维修",
            "维修后又坏了，再次报修",
            "油烟机噪音大，请维修",
            "报修电话打不通，冰箱要维修",
            "洗碗机漏电，紧急维修",
            "维修费用怎么算",
        ],
    ),
    "consult.product": (
        "consult",
        [
            "这款手机支持快充吗，参数是什么",
            "请问这个型号有几种颜色",
            "产品尺寸和重量是多少",
            "这个耳机是否防水，参数咨询",
            "电脑内存可以扩展吗",
            "这款相机的像素是多少",
            "请问型号之间有什么区别",
            "产品说明书里的参数看不懂",
            "这个吸尘器续航多久",
            "手表支持心率监测吗",
            "这款平板屏幕多大",
            "请介绍一下产品功能和参数",
        ],
    ),
}


def use_data_dir(settings: Any, tmp_path: Path) -> Path:
    """Model files go to a fresh folder; the loaded-model cache forgets earlier tests.
    Each test module wraps this in its own ``data_dir`` fixture."""
    settings.DATA_DIR = tmp_path
    classification_services._loaded.clear()
    return tmp_path


def resolved_ticket(code: str, text: str, urgency: str, **extra: Any) -> Ticket:
    """A resolved ticket row (written directly: only its text and labels matter here)."""
    moment = now() - dt.timedelta(days=1)
    return Ticket.objects.create(
        number=f"T{uuid.uuid4().hex[:12]}",
        channel="phone",
        category=Category.objects.get(code=code),
        urgency=urgency,
        subject=text[:30],
        description=text,
        solution="已处理",
        status=extra.pop("status", TicketStatus.RESOLVED),
        created_at=moment,
        updated_at=moment,
        resolved_at=moment,
        **extra,
    )


def seed_training_tickets(per_category: int = 12) -> list[Ticket]:
    tickets = []
    for code, (urgency, texts) in TEXTS.items():
        for text in texts[:per_category]:
            tickets.append(resolved_ticket(code, text, urgency))
    return tickets

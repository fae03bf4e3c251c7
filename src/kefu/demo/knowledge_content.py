"""The demo center's knowledge base as data (issue 8, TEC-5, TEC-2): the category tree, the
articles and the FAQ entries of the fictional retailer 云帆电器 (see :mod:`kefu.demo.content`).

All wording is original demo text. The articles live in :mod:`kefu.demo.knowledge_content_articles`
and the FAQ entries in :mod:`kefu.demo.knowledge_content_faqs`, each written in a small line
format (parsed here at import time) so the Chinese text reads as text, not as Python.

The policy figures are the same everywhere (:data:`POLICY`): an article, an FAQ answer and a
demo ticket never disagree on how many days a customer has.

Article format — one block per article::

    === key | type | category path | owner username | flags
    T: title
    G: tag, tag
    Markdown body …

``type`` is ``consultation``, ``complaint`` or ``after_sales``; flags (space separated):
``internal`` (staff only), ``draft``, ``in_review``, ``archived`` (state other than published),
``overdue`` (quarterly review overdue), ``revised`` (published as a second version, the first
one lacking the last section).

FAQ format — a ``# category path`` line sets the category of the entries that follow; entries
are separated by blank lines::

    Q: standard question
    S: similar question | similar question | …
    L: article key          (optional linked article)
    C: chat, wechat         (optional channels; none: every channel)
    X: inactive             (optional: the entry is switched off)
    A: answer (Markdown); the lines after it continue the answer
"""

from __future__ import annotations

from dataclasses import dataclass

from kefu.demo.knowledge_content_articles import ARTICLE_TEXT
from kefu.demo.knowledge_content_faqs import FAQ_TEXT

POLICY = {
    "no_reason_return_days": 7,  # 7天无理由退货, from the day after signing for the goods
    "quality_exchange_days": 15,  # 15天内性能故障可换货（或退货）
    "price_protection_days": 15,  # 价保：下单之日起15天内
    "refund_working_days": "1–3",  # 退款审核通过后1–3个工作日原路返回
    "ship_within_hours": 48,  # 现货付款后48小时内发货
    "repair_working_days": "5–7",  # 寄修维修周期
    "invoice_working_days": 3,  # 专票/重开 3个工作日
    "complaint_callback_hours": 24,  # 投诉受理后24小时内首次回电
    "account_close_working_days": 15,  # 注销15个工作日
}
"""The figures every text uses (documentation for editors; the test checks the texts)."""

ARTICLE_TYPES = ("consultation", "complaint", "after_sales")
ARTICLE_FLAGS = frozenset({"internal", "draft", "in_review", "archived", "overdue", "revised"})
FAQ_CHANNELS = frozenset({"portal", "chat", "wechat", "sms", "agent"})

CATEGORY_PATHS: tuple[str, ...] = (
    "售前咨询/商品选购",
    "售前咨询/以旧换新",
    "售前咨询/使用指导",
    "订单与支付/下单与修改",
    "订单与支付/支付与分期",
    "物流配送/发货时效",
    "物流配送/送货上门",
    "物流配送/物流异常",
    "退换货/退货退款",
    "退换货/换货",
    "售后维修/保修政策",
    "售后维修/维修服务",
    "售后维修/安装服务",
    "发票",
    "会员与优惠/会员权益",
    "会员与优惠/优惠券与活动",
    "会员与优惠/价格保护",
    "投诉处理/投诉流程",
    "投诉处理/投诉案例",
    "账户安全/登录与密码",
    "账户安全/隐私与注销",
)
"""The category tree (parents are created with their first child), in display order."""


@dataclass(frozen=True)
class DemoArticle:
    key: str
    title: str
    type: str
    category: str
    owner: str
    tags: tuple[str, ...]
    body: str
    flags: frozenset[str]

    @property
    def state(self) -> str:
        for state in ("draft", "in_review", "archived"):
            if state in self.flags:
                return state
        return "published"

    @property
    def is_public(self) -> bool:
        return "internal" not in self.flags

    @property
    def first_body(self) -> str:
        """The body of version 1 of a ``revised`` article: without its last section."""
        if "revised" not in self.flags or "\n## " not in self.body:
            return self.body
        return self.body.rsplit("\n## ", 1)[0].rstrip()


@dataclass(frozen=True)
class DemoFaq:
    question: str
    similar: tuple[str, ...]
    answer: str
    category: str
    article: str = ""
    channels: tuple[str, ...] = ()
    active: bool = True


def parse_articles(text: str) -> tuple[DemoArticle, ...]:
    """The articles of ``text`` (the format above); a malformed block raises ValueError."""
    articles: list[DemoArticle] = []
    for block in text.split("\n=== ")[1:]:
        header, _, rest = block.partition("\n")
        parts = [part.strip() for part in header.split("|")]
        if len(parts) != 5:
            raise ValueError(f"article header needs 5 parts: {header!r}")
        key, type_, category, owner, flag_text = parts
        flags = frozenset(flag_text.split())
        if type_ not in ARTICLE_TYPES or not flags <= ARTICLE_FLAGS:
            raise ValueError(f"bad type or flags in {header!r}")
        if category not in CATEGORY_PATHS:
            raise ValueError(f"unknown category {category!r} in {header!r}")
        lines = rest.strip("\n").split("\n")
        if not (lines[0].startswith("T: ") and lines[1].startswith("G: ")):
            raise ValueError(f"article {key} needs T: and G: lines")
        tags = tuple(tag.strip() for tag in lines[1][3:].replace("，", ",").split(",") if tag)
        body = "\n".join(lines[2:]).strip()
        articles.append(
            DemoArticle(key, lines[0][3:].strip(), type_, category, owner, tags, body, flags)
        )
    return tuple(articles)


def parse_faqs(text: str) -> tuple[DemoFaq, ...]:
    """The FAQ entries of ``text`` (the format above); a malformed entry raises ValueError."""
    faqs: list[DemoFaq] = []
    category = ""
    for raw in text.strip().split("\n\n"):
        lines = raw.strip("\n").split("\n")
        if lines and lines[0].startswith("# "):
            category = lines.pop(0)[2:].strip()
            if category not in CATEGORY_PATHS:
                raise ValueError(f"unknown category {category!r}")
        if not lines or not lines[0].strip():
            continue
        fields: dict[str, str] = {}
        answer: list[str] = []
        for line in lines:
            if answer:
                answer.append(line)
            elif line[:3] in ("Q: ", "S: ", "L: ", "C: ", "X: "):
                fields[line[0]] = line[3:].strip()
            elif line.startswith("A: "):
                answer.append(line[3:])
            else:
                raise ValueError(f"unexpected line {line!r}")
        if "Q" not in fields or "S" not in fields or not answer:
            raise ValueError(f"FAQ entry needs Q:, S: and A: ({lines[0]!r})")
        channels = tuple(c.strip() for c in fields.get("C", "").split(",") if c.strip())
        if not set(channels) <= FAQ_CHANNELS:
            raise ValueError(f"unknown channel in {channels!r}")
        faqs.append(
            DemoFaq(
                question=fields["Q"],
                similar=tuple(s.strip() for s in fields["S"].split("|") if s.strip()),
                answer="\n".join(answer).strip(),
                category=category,
                article=fields.get("L", ""),
                channels=channels,
                active="X" not in fields,
            )
        )
    return tuple(faqs)


ARTICLES: tuple[DemoArticle, ...] = parse_articles(ARTICLE_TEXT)
FAQS: tuple[DemoFaq, ...] = parse_faqs(FAQ_TEXT)

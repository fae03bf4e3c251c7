"""The demo center's knowledge base (issue 8 Deliver 10, TEC-5, TEC-2): enough articles and FAQ
entries, written through the services (versions, states, audit), consistent policy figures, and
customers' typical questions found by the search and the FAQ bot matcher."""

from __future__ import annotations

import re
import time

import pytest

from kefu.assist.faq_answers import answer_question
from kefu.audit.models import AuditEvent
from kefu.demo.knowledge import OVERDUE_DAYS, seed_demo_knowledge
from kefu.demo.knowledge_content import (
    ARTICLES,
    CATEGORY_PATHS,
    FAQS,
    parse_articles,
    parse_faqs,
)
from kefu.knowledge.article_selectors import review_queue
from kefu.knowledge.faq_services import category_path
from kefu.knowledge.markdown import render_markdown
from kefu.knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleState,
    Faq,
    FaqSimilarQuestion,
    KnowledgeCategory,
)
from kefu.knowledge.search import search
from kefu.tests_support.factories import UserFactory

# The demo's people the knowledge base uses (as seed_people names them).
PEOPLE = {
    "admin": ["manager", "admin"],
    "trainer1": ["trainer"],
    "qa1": ["qa_specialist"],
    "complaint1": ["complaint_specialist"],
    "lead1": ["team_lead"],
    "lead2": ["team_lead"],
    "lead3": ["team_lead"],
    **{f"agent{n:02d}": ["agent"] for n in range(1, 11)},
}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The knowledge part of the demo seeded once for the module (rolled back afterwards);
    yields the seconds the seeding took."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            for username, roles in PEOPLE.items():
                UserFactory(username=username, roles=roles)
            started = time.perf_counter()
            seed_demo_knowledge()
            yield time.perf_counter() - started
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _texts() -> list[str]:
    return [a.title + "\n" + a.body for a in ARTICLES] + [
        "\n".join([f.question, *f.similar, f.answer]) for f in FAQS
    ]


def test_content_has_the_promised_size():
    assert len(ARTICLES) >= 40
    active = [faq for faq in FAQS if faq.active]
    assert len(active) >= 150
    assert all(3 <= len(faq.similar) <= 6 for faq in FAQS)
    assert {a.type for a in ARTICLES} == {"consultation", "complaint", "after_sales"}
    assert len({a.key for a in ARTICLES}) == len(ARTICLES)
    assert len({f.question for f in FAQS}) == len(FAQS)


def test_malformed_content_is_refused():
    with pytest.raises(ValueError, match="category"):
        parse_articles("\n=== k | consultation | 不存在 | admin | \nT: t\nG: a\nbody")
    with pytest.raises(ValueError, match="flags"):
        parse_articles("\n=== k | consultation | 发票 | admin | secret\nT: t\nG: a\nbody")
    with pytest.raises(ValueError, match="needs Q:"):
        parse_faqs("# 发票\nQ: 问题\nA: 回答")
    with pytest.raises(ValueError, match="channel"):
        parse_faqs("# 发票\nQ: 问题\nS: 问法一\nC: fax\nA: 回答")


def test_policy_figures_agree_everywhere():
    """One policy, the same numbers in every article and answer (7/15/15 days, 1–3 days)."""
    text = "\n".join(_texts())
    assert set(re.findall(r"(\d+) ?天无理由", text)) == {"7"}
    assert set(re.findall(r"(\d+) ?天质量问题换货", text)) == {"15"}
    assert set(re.findall(r"价保期\D{0,3}(\d+)|下单(?:之日起)?\D{0,3}(\d+) ?天内", text)) <= {
        ("", "15"),
        ("15", ""),
    }
    refund = re.findall(r"(\d[–-]\d) ?个工作日(?:内)?原路(?:返回|退回)", text)
    assert refund and set(refund) == {"1–3"}
    assert set(re.findall(r"注销\D{0,20}?(\d+) ?个工作日", text)) == {"15"}


@pytest.mark.django_db
def test_seed_creates_articles_in_every_state(seeded):
    assert seeded < 10, f"seeding the knowledge base took {seeded:.1f} s"
    assert Article.objects.count() == len(ARTICLES) >= 40
    states = dict.fromkeys(ArticleState.values, 0)
    for state in Article.objects.values_list("state", flat=True):
        states[state] += 1
    assert states["published"] >= 40
    assert states["draft"] >= 2 and states["in_review"] == 1 and states["archived"] == 1
    assert Article.objects.filter(is_public=False, state="published").exists()
    owners = set(Article.objects.values_list("owner__username", flat=True))
    assert {"trainer1", "complaint1", "lead1"} <= owners and len(owners) >= 8
    # Reviewers published them: trainer (QA for complaint handling), never the agent owner.
    published_by = set(
        AuditEvent.objects.filter(verb="article.published").values_list(
            "actor__username", flat=True
        )
    )
    assert published_by == {"trainer1", "qa1"}


@pytest.mark.django_db
def test_versions_are_consistent(seeded):
    for article in Article.objects.prefetch_related("versions"):
        numbers = sorted(v.number for v in article.versions.all())
        assert numbers == list(range(1, article.version + 1)), article.title
        latest = max(article.versions.all(), key=lambda v: v.number)
        assert (latest.title, latest.body) == (article.title, article.body)
        if article.state in (ArticleState.PUBLISHED, ArticleState.ARCHIVED):
            assert article.published_version_id == latest.pk
        else:
            assert article.published_version_id is None
    revised = Article.objects.get(title="退款时效与到账说明")
    assert revised.version == 2
    first = revised.versions.get(number=1)
    assert "信用卡和银行处理时间说明" not in first.body
    assert "信用卡和银行处理时间说明" in revised.published_version.body


@pytest.mark.django_db
def test_review_queue_shows_the_overdue_articles(seeded):
    from kefu.accounts.models import User

    queue = list(review_queue(user=User.objects.get(username="trainer1")))
    overdue = [a for a in ARTICLES if "overdue" in a.flags]
    assert len(overdue) >= 2
    assert {a.title for a in queue} == {a.title for a in overdue}
    assert (queue[0].review_by - queue[-1].review_by).days == -(
        max(OVERDUE_DAYS) - min(OVERDUE_DAYS)
    )


@pytest.mark.django_db
def test_faqs_have_similar_questions_without_duplicates(seeded):
    active = Faq.objects.filter(is_active=True)
    assert active.count() >= 150
    assert Faq.objects.filter(is_active=False).count() == 1
    for faq in active.prefetch_related("similar_questions"):
        assert faq.similar_questions.count() >= 3, faq.question
    texts = list(FaqSimilarQuestion.objects.values_list("text", flat=True))
    assert len(texts) == len(set(texts)), "a similar question belongs to two FAQ entries"
    assert not set(texts) & set(Faq.objects.values_list("question", flat=True))
    channels = [c for c in Faq.objects.values_list("channels", flat=True) if c]
    assert len(channels) >= 5 and all("chat" in c for c in channels)
    assert AuditEvent.objects.filter(verb="faq.create").count() == len(FAQS)


@pytest.mark.django_db
def test_linked_articles_are_public_and_published(seeded):
    linked = Faq.objects.filter(is_active=True, article__isnull=False).select_related("article")
    assert linked.count() >= 100
    for faq in linked:
        assert faq.article.is_public and faq.article.state == "published", faq.question


@pytest.mark.django_db
def test_every_answer_and_body_renders(seeded):
    for answer in Faq.objects.values_list("answer", flat=True):
        html = render_markdown(answer)
        assert html.strip().startswith("<") and len(html) > len(answer) // 2
    for article in Article.objects.all():
        html = render_markdown(article.body)
        assert "<h2>" in html or "<ul>" in html or "<table>" in html, article.title
    assert "<table>" in render_markdown(Article.objects.get(title="保修政策与保修期计算").body)


@pytest.mark.django_db
def test_every_category_is_used(seeded):
    paths = {category_path(c) for c in KnowledgeCategory.objects.all()}
    assert set(CATEGORY_PATHS) <= paths
    roots = KnowledgeCategory.objects.filter(parent=None)
    assert roots.count() == 9
    for category in KnowledgeCategory.objects.filter(children=None):
        assert category.articles.exists() or category.faqs.exists(), category_path(category)
    for root in roots:
        ids = {root.pk, *root.children.values_list("pk", flat=True)}
        assert Article.objects.filter(category__in=ids).exists(), root.name
        assert Faq.objects.filter(category__in=ids).exists(), root.name
    ordered = [category_path(c) for c in KnowledgeCategory.objects.exclude(parent=None)]
    assert ordered == [p for p in CATEGORY_PATHS if "/" in p]


@pytest.mark.django_db
def test_feedback_was_given(seeded):
    refund = Article.objects.get(title="退款时效与到账说明")
    assert (refund.helpful_count, refund.unhelpful_count) == (9, 1)
    assert ArticleFeedback.objects.filter(user__isnull=False).exists()
    assert ArticleFeedback.objects.filter(user__isnull=True).exclude(visitor="").exists()
    assert ArticleFeedback.objects.count() == sum(
        a.helpful_count + a.unhelpful_count for a in Article.objects.all()
    )


# How customers ask → the FAQ entry that answers it (not a similar question written verbatim).
SAMPLES = [
    ("退款多久到账", "退款多久能到账？"),
    ("东西坏了", "东西坏了能换新的吗？"),
    ("我要开发票", "怎么开发票？"),
    ("专票", "能开增值税专用发票吗？"),
    ("价保怎么申请", "买了就降价能退差价吗？"),
    ("价格降了", "买了就降价能退差价吗？"),
    ("送货上楼收钱吗", "送货上楼要另外收费吗？"),
    ("运费险", "运费险怎么理赔？"),
    ("手机激活了能退吗", "手机激活了还能退吗？"),
    ("延保要买吗", "延保是什么？要不要买？"),
    ("空调E1", "空调显示E1是什么故障？"),
    ("验证码收不到", "收不到验证码怎么办？"),
    ("积分什么时候过期", "积分什么时候过期？"),
    ("怎么改收货地址", "怎么修改收货地址？"),
    ("怎么注销", "怎么注销账户？"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "question"), SAMPLES)
def test_search_finds_the_right_faq_first(seeded, query, question):
    hits = search(query, kind="faq", limit=5)
    assert hits and hits[0].title == question, [h.title for h in hits]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "question"), SAMPLES)
def test_bot_offers_the_right_faq(seeded, query, question):
    """The FAQ bot's matcher (TEC-2) answers with, or offers, the entry among its top three."""
    answer = answer_question(query, channel="portal")
    assert answer.kind in ("answer", "choices")
    assert question in [c.question for c in answer.candidates[:3]]


@pytest.mark.django_db
def test_agent_search_finds_internal_guides(seeded):
    hits = search("物流停滞 丢件 破损", kind="article", limit=3)
    assert hits and hits[0].title == "坐席处理：物流停滞、丢件与破损"
    customer_hits = search("物流停滞 丢件 破损", kind="article", customer=True)
    assert "坐席处理：物流停滞、丢件与破损" not in [h.title for h in customer_hits]


@pytest.mark.django_db
def test_seeding_twice_adds_nothing(seeded):
    counts = (Article.objects.count(), Faq.objects.count(), FaqSimilarQuestion.objects.count())
    seed_demo_knowledge()
    assert counts == (
        Article.objects.count(),
        Faq.objects.count(),
        FaqSimilarQuestion.objects.count(),
    )


# A customer's turn in a chat → the FAQ entry agent assist (TEC-1) should put beside the reply.
ASSIST_SAMPLES = [
    ("你好，我买的空调不制冷了，怎么报修？", "东西坏了怎么报修？"),
    ("退款申请了三天了钱还没到", "退款多久能到账？"),
    ("快递显示签收了但是我没收到东西", "显示已签收但我没收到？"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("message", "question"), ASSIST_SAMPLES)
def test_agent_assist_suggests_the_right_faq_on_the_demo_content(seeded, message, question):
    from kefu.accounts.models import User
    from kefu.assist.agent_assist import assist_suggestions

    found = assist_suggestions(user=User.objects.get(username="agent01"), text=message)
    assert question in [faq.question for faq in found.faqs], [f.question for f in found.faqs]
    assert found.articles, "the FAQ's linked article or a search hit"
    # A greeting asks nothing: no FAQ answer is pushed at the agent.
    assert assist_suggestions(user=User.objects.get(username="agent01"), text="在吗").faqs == []

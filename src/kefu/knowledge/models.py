"""The knowledge agents trust (TEC-5): the script library and the knowledge base.

The script library (话术库, SCR-1, SCR-4) holds recommended wording by conversation stage; agents
read it, trainers, QA specialists and managers keep it current, by hand or by accepting a
monthly suggestion drawn from QA findings (QA-5). The knowledge base holds articles (with
versions, a review workflow and a quarterly review date) and FAQ entries with their similar
questions, which the search, the FAQ bot and agent assist read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ScriptStage(models.TextChoices):
    """The stages of a conversation a script belongs to (SCR-4)."""

    OPENING = "opening", pgettext_lazy("script stage", "Opening")
    NEED_CONFIRMATION = "need_confirmation", pgettext_lazy("script stage", "Need confirmation")
    EMPATHY = "empathy", pgettext_lazy("script stage", "Empathy")
    ANSWER = "answer", pgettext_lazy("script stage", "Answer")
    CLOSING = "closing", pgettext_lazy("script stage", "Closing")
    OTHER = "other", pgettext_lazy("script stage", "Other")


class ScriptSource(models.TextChoices):
    MANUAL = "manual", pgettext_lazy("script source", "Written by hand")
    QA_SUGGESTION = "qa_suggestion", pgettext_lazy("script source", "QA suggestion")


class Script(models.Model):
    """One recommended script. ``replaces`` is the wording it replaces (a forbidden phrase,
    SCR-2), ``category`` the quality-rule category it answers. ``version`` counts edits; every
    edit is in the audit trail with before and after, which is the script's history.

    Invariant: a script from a QA suggestion names the suggestion (while it exists).
    """

    stage = models.CharField(_("stage"), max_length=20, choices=ScriptStage.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    category = models.CharField(_("category"), max_length=64, blank=True)
    replaces = models.CharField(_("replaces"), max_length=500, blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=ScriptSource.choices, default=ScriptSource.MANUAL
    )
    suggestion = models.ForeignKey(
        "quality.ImprovementSuggestion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("suggestion"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["stage", "title", "id"]
        indexes = [models.Index(fields=["is_active", "stage"], name="script_active_stage_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stage__in=ScriptStage.values), name="script_stage_known"
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=ScriptSource.values), name="script_source_known"
            ),
        ]

    def __str__(self) -> str:
        return self.title


# --- The knowledge base (TEC-5): articles, versions, attachments, feedback; FAQ entries --------


class ArticleType(models.TextChoices):
    """The three kinds of knowledge a contact center keeps (TEC-5)."""

    CONSULTATION = "consultation", pgettext_lazy("article type", "Consultation")
    COMPLAINT = "complaint", pgettext_lazy("article type", "Complaint handling")
    AFTER_SALES = "after_sales", pgettext_lazy("article type", "After-sales")


class ArticleState(models.TextChoices):
    """draft → in_review → published → archived (and back to draft for a new revision).
    Changes only through :func:`kefu.knowledge.article_services.article_transition`."""

    DRAFT = "draft", pgettext_lazy("article state", "Draft")
    IN_REVIEW = "in_review", pgettext_lazy("article state", "In review")
    PUBLISHED = "published", pgettext_lazy("article state", "Published")
    ARCHIVED = "archived", pgettext_lazy("article state", "Archived")


class KnowledgeCategory(models.Model):
    """A category of articles and FAQ entries, in a tree (e.g. 售后 › 退换货)."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="knowledgecategory_uniq")
        ]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """A knowledge-base article. ``title``/``body`` are the working copy; every saved revision
    is an :class:`ArticleVersion`, and ``published_version`` is the one customers and the
    search see while a new revision is drafted. Invariant: a published article has a
    published version; ``review_by`` is the quarterly review date (TEC-5)."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body (Markdown)"), blank=True)
    type = models.CharField(_("type"), max_length=16, choices=ArticleType.choices)
    category = models.ForeignKey(
        KnowledgeCategory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name=_("category"),
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=ArticleState.choices, default=ArticleState.DRAFT
    )
    # Visible to customers (portal, bot) or to staff only.
    is_public = models.BooleanField(_("visible to customers"), default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_articles",
        verbose_name=_("owner"),
    )
    review_by = models.DateField(_("review by"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    published_version = models.ForeignKey(
        "ArticleVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    helpful_count = models.PositiveIntegerField(default=0)
    unhelpful_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["state", "review_by"], name="article_review_idx"),
            models.Index(fields=["state", "type", "-updated_at"], name="article_list_idx"),
            models.Index(fields=["owner", "state"], name="article_owner_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=ArticleState.values), name="article_state_known"
            ),
            models.CheckConstraint(
                condition=models.Q(type__in=ArticleType.values), name="article_type_known"
            ),
        ]
        permissions = [("review_article", "Can review and publish knowledge articles")]

    def __str__(self) -> str:
        return self.title


class ArticleVersion(models.Model):
    """One saved revision of an article (never edited afterwards); diffs compare two."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="articleversion_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class AttachmentKind(models.TextChoices):
    FILE = "file", _("File")
    VIDEO = "video", _("Video")


class ArticleAttachment(models.Model):
    """A file or video of an article, stored in the data directory under ``storage_name``."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=8, choices=AttachmentKind.choices)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    storage_name = models.CharField(max_length=200, unique=True)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["article", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.filename


class ArticleFeedback(models.Model):
    """ "Was this helpful?" from a member of staff or a customer (one per person per article
    version; customers are told apart by a keyed hash of their session)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    version = models.PositiveIntegerField()
    helpful = models.BooleanField()
    comment = models.CharField(max_length=500, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visitor = models.CharField(max_length=64, blank=True)  # keyed hash, never the session id
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "version", "user"],
                condition=models.Q(user__isnull=False),
                name="articlefeedback_user_once",
            ),
            models.UniqueConstraint(
                fields=["article", "version", "visitor"],
                condition=models.Q(user__isnull=True),
                name="articlefeedback_visitor_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {'+' if self.helpful else '-'}"


class FaqChannel(models.TextChoices):
    """Where an FAQ answer may be used."""

    PORTAL = "portal", _("Portal")
    CHAT = "chat", _("Web chat")
    WECHAT = "wechat", _("WeChat")
    SMS = "sms", _("SMS")
    AGENT = "agent", _("Agent assist")


class Faq(models.Model):
    """An FAQ entry the way Chinese FAQ bots are configured: a standard question, its similar
    questions (相似问法, :class:`FaqSimilarQuestion`), an answer (Markdown, sanitized on output),
    an optional article, and the channels where it may be used (empty: all)."""

    question = models.CharField(_("standard question"), max_length=300)
    answer = models.TextField(_("answer"))
    article = models.ForeignKey(
        Article,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="faqs",
        verbose_name=_("linked article"),
    )
    category = models.ForeignKey(
        KnowledgeCategory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="faqs",
        verbose_name=_("category"),
    )
    channels = models.JSONField(_("channels"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["question", "id"]
        indexes = [models.Index(fields=["is_active", "-updated_at"], name="faq_active_idx")]
        constraints = [
            models.UniqueConstraint(fields=["question"], name="faq_question_uniq"),
        ]

    def __str__(self) -> str:
        return self.question


class FaqSimilarQuestion(models.Model):
    """Another way customers ask an FAQ's question."""

    faq = models.ForeignKey(Faq, on_delete=models.CASCADE, related_name="similar_questions")
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["faq", "id"]
        constraints = [
            models.UniqueConstraint(fields=["faq", "text"], name="faqsimilar_uniq"),
        ]

    def __str__(self) -> str:
        return self.text

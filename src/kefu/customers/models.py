"""Customer profiles (CRM-1, CRM-3) and their identities, encrypted at rest (SEC-1)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from kefu.core.fields import EncryptedTextField
from kefu.customers.identities import IdentityKind


class MemberLevel(models.TextChoices):
    NORMAL = "normal", pgettext_lazy("member level", "Regular member")
    SILVER = "silver", pgettext_lazy("member level", "Silver member")
    GOLD = "gold", pgettext_lazy("member level", "Gold member")
    PLATINUM = "platinum", pgettext_lazy("member level", "Platinum member")


class AccountTier(models.TextChoices):
    """Key-account tiers (CRM-3)."""

    STRATEGIC = "strategic", pgettext_lazy("account tier", "Strategic account")
    CORE = "core", pgettext_lazy("account tier", "Core account")
    POTENTIAL = "potential", pgettext_lazy("account tier", "Potential account")
    GENERAL = "general", pgettext_lazy("account tier", "General account")


class ContactChannel(models.TextChoices):
    """Channels through which a customer reaches the center (TEC-7)."""

    PHONE = "phone", pgettext_lazy("contact channel", "Phone")
    CHAT = "chat", pgettext_lazy("contact channel", "Web chat")
    EMAIL = "email", pgettext_lazy("contact channel", "E-mail")
    SMS = "sms", pgettext_lazy("contact channel", "SMS")
    WECHAT = "wechat", pgettext_lazy("contact channel", "WeChat")
    PORTAL = "portal", pgettext_lazy("contact channel", "Self-service portal")
    WALK_IN = "walk_in", pgettext_lazy("contact channel", "Walk-in")
    VIDEO = "video", pgettext_lazy("contact channel", "Video")


class Customer(models.Model):
    """A customer of the company. Identities live in :class:`CustomerIdentity`."""

    name = models.CharField(max_length=100, db_index=True)
    member_level = models.CharField(
        max_length=16, choices=MemberLevel.choices, default=MemberLevel.NORMAL
    )
    tier = models.CharField(max_length=16, choices=AccountTier.choices, default=AccountTier.GENERAL)
    tags = models.JSONField(default=list, blank=True)
    preferred_channel = models.CharField(
        max_length=16, choices=ContactChannel.choices, blank=True, default=""
    )
    city = models.CharField(max_length=50, blank=True)
    notes = models.TextField(blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]
        permissions = [("view_unmasked_pii", "Can see unmasked personal data (logged)")]

    def __str__(self) -> str:
        return self.name


class CustomerIdentity(models.Model):
    """One phone, e-mail, WeChat openid or ID number of a customer.

    ``value`` is encrypted; ``lookup_hash`` is a keyed hash of the normalized value (blind
    index) so an exact match is one indexed query without storing the value in clear. An
    identity belongs to one customer only.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=16, choices=IdentityKind.choices)
    value = EncryptedTextField()
    lookup_hash = models.CharField(max_length=64)
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "lookup_hash"], name="identity_unique_value"),
            models.UniqueConstraint(
                fields=["customer", "kind"],
                condition=Q(is_primary=True),
                name="identity_one_primary_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of customer {self.customer_id}"

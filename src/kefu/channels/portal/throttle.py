"""Rate limits of the portal (TEC-6): how often one client address or one phone/e-mail may act.

Counts live in Django's cache in fixed one-hour windows. The key holds a keyed hash of what is
counted, never the address or phone itself, so the cache is no copy of personal data. The cache is
shared by all processes (Redis when configured, else files in the data directory; settings).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from kefu.core.timeutils import now

WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class Limit:
    """``limit`` actions of ``scope`` per hour for one counted value."""

    scope: str
    limit: int


def _key(scope: str, value: str, window: int) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode("utf-8"), f"{scope}:{value}".encode(), hashlib.sha256
    ).hexdigest()[:32]
    return f"kefu:portal:{scope}:{digest}:{window}"


def throttle_hit(limit: Limit, value: str) -> bool:
    """Count one action of ``value``; False when it is over the hour's limit (then not done)."""
    if limit.limit <= 0:
        return True  # 0 switches the limit off
    window = int(now().timestamp()) // WINDOW_SECONDS
    key = _key(limit.scope, value, window)
    cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: start again
        cache.set(key, 1, timeout=WINDOW_SECONDS + 60)
        count = 1
    return count <= limit.limit


def retry_after_seconds() -> int:
    """Seconds until the current window ends (for the Retry-After header)."""
    return WINDOW_SECONDS - int(now().timestamp()) % WINDOW_SECONDS


def submits_per_address() -> Limit:
    return Limit("submit", settings.KEFU_PORTAL_SUBMITS_PER_HOUR)


def tracks_per_address() -> Limit:
    return Limit("track", settings.KEFU_PORTAL_TRACKS_PER_HOUR)


def searches_per_address() -> Limit:
    return Limit("search", settings.KEFU_PORTAL_SEARCHES_PER_HOUR)


def replies_per_address() -> Limit:
    return Limit("reply", settings.KEFU_PORTAL_REPLIES_PER_HOUR)


def codes_per_contact() -> Limit:
    """Codes sent to one phone or e-mail, by submission and by tracking together: nobody can
    use the portal to flood someone else's phone."""
    return Limit("contact", settings.KEFU_PORTAL_CODES_PER_CONTACT_PER_HOUR)

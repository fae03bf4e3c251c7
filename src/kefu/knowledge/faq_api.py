"""Placeholder: filled in by the faq work of issue 8."""

from ninja import Router

router = Router(tags=["knowledge"])

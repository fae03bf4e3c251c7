"""Placeholder: filled in by the article work of issue 8."""

from ninja import Router

router = Router(tags=["knowledge"])

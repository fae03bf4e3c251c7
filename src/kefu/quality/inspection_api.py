"""Placeholder: filled in by the inspection work of issue 7."""

from ninja import Router

router = Router(tags=["quality"])

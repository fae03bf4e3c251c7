"""Placeholder: filled in by the calibration work of issue 7."""

from ninja import Router

router = Router(tags=["quality"])

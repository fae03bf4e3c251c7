"""The demo center's ticket classifier (TEC-4), trained on the demo's tickets."""

from __future__ import annotations


def seed_demo_classifier() -> None:
    """Train the ticket classifier on the demo's resolved tickets."""

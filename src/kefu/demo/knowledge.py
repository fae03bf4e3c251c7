"""The demo center's knowledge base (issue 8, TEC-5): articles and FAQ entries."""

from __future__ import annotations


def seed_demo_knowledge() -> None:
    """Create the demo articles and FAQ entries through the knowledge services."""

"""The demo center's FAQ bot conversations (TEC-2) and trained ticket classifier (TEC-4)."""

from __future__ import annotations

import random


def seed_demo_bot_sessions(rng: random.Random) -> None:
    """Customer conversations with the FAQ bot, through the bot services."""


def seed_demo_classifier() -> None:
    """Train the ticket classifier on the demo's resolved tickets."""

"""The demo center's FAQ bot conversations (TEC-2), so the deflection report has figures."""

from __future__ import annotations

import random


def seed_demo_bot_sessions(rng: random.Random) -> None:
    """Customer conversations with the FAQ bot, through the bot services."""

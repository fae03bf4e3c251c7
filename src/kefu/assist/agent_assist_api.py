"""HTTP API of the agent assist (issue 8)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["assist"])

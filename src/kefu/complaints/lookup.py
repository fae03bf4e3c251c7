"""Whether a ticket is a registered complaint, for the engines that only hold the ticket."""

from __future__ import annotations

from typing import Any

from kefu.complaints.models import Complaint


def ticket_complaint(ticket: Any) -> Complaint | None:
    """The ticket's complaint record, or None (the reverse one-to-one raises when absent)."""
    try:
        complaint: Complaint = ticket.complaint
    except Complaint.DoesNotExist:
        return None
    return complaint

"""The customer self-service portal (TEC-6): submit a ticket, follow it with a one-time code,
reply. See docs/portal.md."""

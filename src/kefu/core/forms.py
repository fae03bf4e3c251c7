"""Form fields shared by the web pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

EARLIEST = dt.date(1970, 1, 1)
LATEST = dt.date(2999, 12, 30)


class DayField(forms.DateField):
    """A calendar day a query can use: the far ends of the calendar are refused, not a 500."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> dt.date | None:
        day = super().clean(value)
        if day is not None and not EARLIEST <= day <= LATEST:
            raise forms.ValidationError(_("Choose a date between 1970 and 2999."))
        return day

"""Template helpers of the workspace."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

register = template.Library()

# Widgets that Bootstrap styles as check boxes or selects rather than text inputs.
_SELECTS = ("Select", "SelectMultiple", "NullBooleanSelect")


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def add_class(field: BoundField, css: str) -> SafeString:
    """Render a form field with Bootstrap classes that suit its widget, marking errors."""
    widget = type(field.field.widget).__name__
    if widget in ("CheckboxInput",):
        css = "form-check-input"
    elif widget not in _SELECTS:
        css = css.replace("form-select", "form-control")
    if field.errors:
        css += " is-invalid"
    attrs: dict[str, Any] = {"class": css}
    if field.errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{field.auto_id}-errors"
    return field.as_widget(attrs=attrs)


@register.filter
def identity_kind(kind: str) -> str:
    from kefu.customers.identities import IdentityKind

    return str(IdentityKind(kind).label) if kind in IdentityKind.values else kind


@register.filter
def person(user: Any) -> str:
    """A member of staff as people see them: display name, else user name, else a dash."""
    if user is None:
        return "—"
    return str(getattr(user, "display_name", "") or getattr(user, "username", "") or "—")

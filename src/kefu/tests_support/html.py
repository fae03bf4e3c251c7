"""Checks on rendered pages shared by the screen tests."""

from __future__ import annotations

import re

_CONTROL = re.compile(r'<(?:input|select|textarea)[^>]*\sid="([^"]+)"')
_LABEL = re.compile(r'<label[^>]*\sfor="([^"]+)"')
_UNLABELLED_KINDS = re.compile(r'<input[^>]*type="(?:hidden|radio)"[^>]*\sid="([^"]+)"')


def unlabelled_controls(page: str) -> set[str]:
    """Ids of the form controls on ``page`` no ``<label for>`` names (hidden and radio inputs
    are labelled by their group)."""
    ids = set(_CONTROL.findall(page))
    return ids - set(_UNLABELLED_KINDS.findall(page)) - set(_LABEL.findall(page))

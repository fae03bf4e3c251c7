"""The message catalogs: every string translated into Chinese, the compiled files current."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import kefu

PACKAGE = Path(kefu.__file__).resolve().parent
LOCALE = PACKAGE / "locale"
TEMPLATE_STRING = re.compile(r"""\{%\s*translate\s+(["'])(.+?)\1""")


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line) for line in lines)


def parse_po(path: Path) -> list[dict[str, object]]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (msgstr[0] of a plural
    entry), flags — enough of the format for tests."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, object] = {"flags": set()}
        current: str | None = None
        parts: dict[str, list[str]] = {}
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] = {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr ", "msgstr[")):
                current, _, rest = line.partition(" ")
                # Chinese has one plural form: msgstr[0] is the translation of a plural entry.
                current = "msgstr" if current == "msgstr[0]" else current
                parts[current] = [rest]
            elif line.startswith('"') and current:
                parts[current].append(line)
        if "msgid" in parts:
            for key, lines in parts.items():
                entry[key] = _unquote(lines)
            entries.append(entry)
    return entries


def test_every_chinese_message_is_translated():
    entries = parse_po(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po")
    assert len(entries) > 100
    missing = [e["msgid"] for e in entries if e["msgid"] and not e.get("msgstr")]
    fuzzy = [e["msgid"] for e in entries if e["msgid"] and "fuzzy" in str(e["flags"])]
    assert missing == [] and fuzzy == []


def test_compiled_catalogs_match_their_sources():
    for language in ("zh_Hans", "en"):
        folder = LOCALE / language / "LC_MESSAGES"
        with (folder / "django.mo").open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)
        for entry in parse_po(folder / "django.po"):
            msgid, msgstr = str(entry["msgid"]), str(entry.get("msgstr") or "")
            if not msgid or not msgstr:
                continue
            if "msgid_plural" in entry:
                got = compiled.ngettext(msgid, str(entry["msgid_plural"]), 1)
            elif "msgctxt" in entry:
                got = compiled.pgettext(str(entry["msgctxt"]), msgid)
            else:
                got = compiled.gettext(msgid)
            assert got == msgstr, f"{language}: run `kefu compilemessages` ({msgid!r})"


def test_every_template_string_is_in_the_catalog():
    known = {e["msgid"] for e in parse_po(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po")}
    absent = set()
    for template in PACKAGE.rglob("templates/**/*.html"):
        for _quote, text in TEMPLATE_STRING.findall(template.read_text(encoding="utf-8")):
            if text not in known and text.replace("%", "%%") not in known:
                absent.add(f"{template.name}: {text}")
    assert not absent, "run makemessages and translate: " + "; ".join(sorted(absent))

"""FAQ entries to and from Excel (TEC-2, TEC-5).

One sheet, one FAQ a row, under the header :data:`HEADER`: 标准问题 | 相似问法 (one a line in
the cell) | 答案 | 分类 (path ``售后/退换货``) | 渠道 (``portal,chat,wechat,sms,agent``; empty:
every channel) | 关联文章ID | 启用 (是/否).

The import checks every row first and collects each problem as (row, column, reason); with any
problem nothing is written. Otherwise, in one transaction, a row whose standard question exists
updates that FAQ and any other row creates one. A dry run reports the same counts and errors
and writes nothing. Files over :data:`MAX_BYTES` or :data:`MAX_ROWS` rows, and files that are
not xlsx workbooks, are refused with ``InvalidInput(field="file")``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font

from kefu.core.errors import InvalidInput, PermissionDenied
from kefu.knowledge.faq_services import (
    ANSWER_LIMIT,
    QUESTION_LIMIT,
    category_create,
    category_path,
    clean_similar_questions,
    faq_create,
    faq_update,
    may_edit_faqs,
    split_category_path,
)
from kefu.knowledge.models import Article, Faq, FaqChannel

HEADER = ("标准问题", "相似问法", "答案", "分类", "渠道", "关联文章ID", "启用")
COL_QUESTION, COL_SIMILAR, COL_ANSWER, COL_CATEGORY, COL_CHANNELS, COL_ARTICLE, COL_ACTIVE = HEADER
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
YES, NO = "是", "否"
_TRUE = {YES, "true", "yes", "y", "1", "启用"}
_FALSE = {NO, "false", "no", "n", "0", "停用", "禁用"}
_CHANNEL_SPLIT = re.compile(r"[,，、;；\s]+")
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class RowError:
    """A problem with one cell: spreadsheet row number (header is row 1), column, reason."""

    row: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    question: str
    similar: list[str]
    answer: str
    category: str
    channels: list[str]
    article: int | None
    is_active: bool


class _Rollback(Exception):
    """Leaves the import transaction without writing (dry run, or a late error)."""


# --- export -----------------------------------------------------------------------------


def _safe(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def faq_export(faqs: Iterable[Faq] | None = None) -> bytes:
    """An xlsx workbook of ``faqs`` (default: every FAQ, by id) under :data:`HEADER`."""
    if faqs is None:
        faqs = (
            Faq.objects.select_related("category")
            .prefetch_related("similar_questions")
            .order_by("id")
        )
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "FAQ"
    sheet.append(list(HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for faq in faqs:
        category = faq.category
        path = ""
        if category is not None:
            path = category_path(category)
        values: list[Any] = [
            faq.question,
            "\n".join(s.text for s in faq.similar_questions.all()),
            faq.answer,
            path,
            ",".join(faq.channels),
            faq.article_id if faq.article_id is not None else "",
            YES if faq.is_active else NO,
        ]
        row = sheet.max_row + 1
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column)
            if isinstance(value, str):
                cell.value = _safe(value)
                cell.data_type = "s"  # never a formula, even if the text starts with "="
                cell.alignment = wrap
            else:
                cell.value = value
    for letter, width in zip("ABCDEFG", (30, 30, 60, 20, 24, 12, 8), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- import -----------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _read_rows(data: bytes) -> list[tuple[int, list[str]]]:
    if len(data) > MAX_BYTES:
        raise InvalidInput(
            _("the file is larger than %(limit)d MB") % {"limit": MAX_BYTES // (1024 * 1024)},
            field="file",
        )
    if not data.startswith(b"PK"):
        raise InvalidInput(_("not an Excel workbook (.xlsx)"), field="file")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a corrupt file
        raise InvalidInput(_("not a readable Excel workbook (.xlsx)"), field="file") from exc
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise InvalidInput(_("the workbook has no sheet"), field="file")
        rows: list[tuple[int, list[str]]] = []
        header: list[str] | None = None
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values[: len(HEADER)]]
            cells += [""] * (len(HEADER) - len(cells))
            if header is None:
                header = cells
                continue
            if not any(cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise InvalidInput(
                    _("at most %(limit)d rows a file") % {"limit": MAX_ROWS}, field="file"
                )
            rows.append((number, cells))
    except InvalidInput:
        raise
    except Exception as exc:
        raise InvalidInput(_("not a readable Excel workbook (.xlsx)"), field="file") from exc
    finally:
        book.close()
    if header is None or tuple(header) != HEADER:
        raise InvalidInput(
            _("the first row must be the header: %(header)s") % {"header": " | ".join(HEADER)},
            field="file",
        )
    return rows


def _check_row(number: int, cells: list[str], errors: list[RowError]) -> _Row | None:
    before = len(errors)

    def error(column: str, reason: str) -> None:
        errors.append(RowError(number, column, reason))

    question, similar_text, answer, category, channels_text, article_text, active_text = cells
    if not question:
        error(COL_QUESTION, _("the standard question is missing"))
    elif len(question) > QUESTION_LIMIT:
        error(COL_QUESTION, _("at most %(limit)d characters") % {"limit": QUESTION_LIMIT})
    if not answer:
        error(COL_ANSWER, _("the answer is missing"))
    elif len(answer) > ANSWER_LIMIT:
        error(COL_ANSWER, _("at most %(limit)d characters") % {"limit": ANSWER_LIMIT})
    similar: list[str] = []
    try:
        similar = clean_similar_questions(similar_text.splitlines(), question=question)
    except InvalidInput as exc:
        error(COL_SIMILAR, str(exc))
    try:
        split_category_path(category)
    except InvalidInput as exc:
        error(COL_CATEGORY, str(exc))
    channels = [c for c in _CHANNEL_SPLIT.split(channels_text.lower()) if c]
    unknown = [c for c in channels if c not in FaqChannel.values]
    if unknown:
        error(
            COL_CHANNELS,
            _("unknown channel %(unknown)s; one of %(known)s")
            % {"unknown": ", ".join(unknown), "known": ", ".join(FaqChannel.values)},
        )
    article: int | None = None
    if article_text:
        if not article_text.isdigit():
            error(COL_ARTICLE, _("must be an article number"))
        else:
            article = int(article_text)
    lowered = active_text.lower()
    is_active = True
    if lowered in _FALSE:
        is_active = False
    elif lowered and lowered not in _TRUE:
        error(COL_ACTIVE, _("must be %(yes)s or %(no)s") % {"yes": YES, "no": NO})
    if len(errors) > before:
        return None
    return _Row(number, question, similar, answer, category, channels, article, is_active)


def check_rows(rows: list[tuple[int, list[str]]]) -> tuple[list[_Row], list[RowError]]:
    """Every row checked; errors in sheet order. Articles must exist; questions unique."""
    errors: list[RowError] = []
    checked: list[_Row] = []
    first_seen: dict[str, int] = {}
    for number, cells in rows:
        row = _check_row(number, cells, errors)
        question = cells[0]
        if question:
            if question in first_seen:
                errors.append(
                    RowError(
                        number,
                        COL_QUESTION,
                        _("the same standard question is in row %(row)d")
                        % {"row": first_seen[question]},
                    )
                )
                row = None
            else:
                first_seen[question] = number
        if row is not None:
            checked.append(row)
    wanted = {number: int(cells[5]) for number, cells in rows if cells[5].isdigit()}
    existing = set(Article.objects.filter(pk__in=set(wanted.values())).values_list("pk", flat=True))
    for number, article in wanted.items():
        if article not in existing:
            errors.append(RowError(number, COL_ARTICLE, _("no article %(id)d") % {"id": article}))
    missing = {number for number, article in wanted.items() if article not in existing}
    checked = [row for row in checked if row.number not in missing]
    errors.sort(key=lambda e: (e.row, HEADER.index(e.column) if e.column in HEADER else 99))
    return checked, errors


_FIELD_COLUMN = {
    "question": COL_QUESTION,
    "answer": COL_ANSWER,
    "similar_questions": COL_SIMILAR,
    "category": COL_CATEGORY,
    "channels": COL_CHANNELS,
    "article": COL_ARTICLE,
    "is_active": COL_ACTIVE,
}


def _write(actor: Any, rows: list[_Row], result: ImportResult) -> None:
    existing = {
        faq.question: faq for faq in Faq.objects.filter(question__in=[r.question for r in rows])
    }
    categories: dict[str, Any] = {}
    for row in rows:
        try:
            if row.category not in categories:
                categories[row.category] = category_create(actor=actor, path=row.category)
            values = {
                "answer": row.answer,
                "similar_questions": row.similar,
                "category": categories[row.category],
                "channels": row.channels,
                "article": row.article,
            }
            faq = existing.get(row.question)
            if faq is None:
                faq_create(actor=actor, question=row.question, is_active=row.is_active, **values)
                result.created += 1
            else:
                version = faq.version
                updated = faq_update(
                    actor=actor, faq=faq, changes={**values, "is_active": row.is_active}
                )
                if updated.version != version:
                    result.updated += 1
        except InvalidInput as exc:
            column = _FIELD_COLUMN.get(exc.field or "", COL_QUESTION)
            result.errors.append(RowError(row.number, column, str(exc)))


def faq_import(*, actor: Any, data: bytes, dry_run: bool = False) -> ImportResult:
    """Import the workbook ``data`` as ``actor`` (an FAQ editor); all rows or none (TEC-2)."""
    if not may_edit_faqs(actor):
        raise PermissionDenied(
            _("only trainers, QA specialists, managers and administrators edit FAQs")
        )
    rows = _read_rows(data)
    checked, errors = check_rows(rows)
    result = ImportResult(dry_run=dry_run, errors=errors)
    if errors:
        return result
    try:
        with transaction.atomic():
            _write(actor, checked, result)
            if dry_run or result.errors:
                raise _Rollback
    except _Rollback:
        if result.errors:
            result.created = result.updated = 0
    return result

"""Fast bulk insertion for seeding volume: executemany over prepared rows with explicit ids.

Only for seeding, when kefu is the sole writer: ids are taken from the current maximum, and
sequences are reset afterwards so that normal creation continues after the seeded rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models


def next_id(model: type[models.Model]) -> int:
    current = model.objects.aggregate(top=models.Max("pk"))["top"]  # type: ignore[attr-defined]
    return int(current or 0) + 1


class BulkInserter:
    """Inserts plain dict rows into one model's table with one prepared statement."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in self.fields)
        placeholders = ", ".join(["%s"] * len(self.fields))
        table = connection.ops.quote_name(model._meta.db_table)
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        self.defaults = {
            field.attname: field.get_default() for field in self.fields if field.has_default()
        }

    def _prepare(self, row: Mapping[str, Any]) -> list[Any]:
        values = []
        for field in self.fields:
            value = row[field.attname] if field.attname in row else self.defaults.get(field.attname)
            values.append(field.get_db_prep_save(value, connection))
        return values

    def insert(self, rows: Iterable[Mapping[str, Any]]) -> int:
        prepared = [self._prepare(row) for row in rows]
        if prepared:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, prepared)
        return len(prepared)


def reset_sequences(*model_classes: type[models.Model]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_classes))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

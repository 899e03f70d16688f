"""JSON kept as plain text in the database.

For what is written once, read whole and never searched inside (an
assessment's inputs and needs): PostgreSQL stores text as given, where jsonb
must parse it (about 30 MB/s of one core — seconds per hundred thousand rows
in a batch run) and stores it larger. Python sees the decoded value, as with
a JSONField.
"""

from __future__ import annotations

import json

from django.db import models


class JSONTextField(models.TextField):
    description = "JSON 文本"

    def from_db_value(self, value, expression, connection):
        return None if value is None else json.loads(value)

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                return value
        return value

    def get_prep_value(self, value):
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def value_to_string(self, obj) -> str:
        return self.get_prep_value(self.value_from_object(obj)) or ""

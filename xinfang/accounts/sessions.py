"""The session store (SESSION_ENGINE): Django's database sessions, read by one plain statement.

Every request of a signed-in user reads its session first; through the ORM that read (compiling the
query, building a Session instance) cost about a twentieth of a list page's time. The row, its expiry and
what is written are Django's own: only the read is ours."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        """The session's data if its row exists and has not expired; else none, and a new key when it is
        saved (as Django's store does)."""
        model = self.model
        connection = connections[router.db_for_read(model)]
        table = connection.ops.quote_name(model._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",  # noqa: S608
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])

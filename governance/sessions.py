"""The session engine (settings.SESSION_ENGINE): Django's database sessions, whose one query per
request, finding the session by its key, is a prepared query (governance.prepared). The table, the
cookie and everything else are Django's own."""

from __future__ import annotations

import logging
from datetime import datetime

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from .prepared import prepared


@prepared
def _session(session_key: str, now: datetime):
    return Session.objects.filter(session_key=session_key, expire_date__gt=now)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        if not self.session_key:
            return None
        try:
            found = _session(session_key=self.session_key, now=timezone.now())
        except SuspiciousOperation as e:
            logging.getLogger(f"django.security.{e.__class__.__name__}").warning(str(e))
            found = []
        if not found:
            self._session_key = None
            return None
        return found[0]

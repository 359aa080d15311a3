"""Meetings over the REST API: meetings and series, agenda items, attendance, minutes, tensions,
action items and calendar links, one module per resource. The same queries, rules and services as
the pages. The viewsets the router registers are here."""

from .actions import ActionItemViewSet
from .agenda import AgendaItemViewSet
from .feeds import CalendarFeedViewSet
from .meetings import MeetingSeriesViewSet, MeetingViewSet
from .minutes import AttendanceViewSet, MinutesViewSet
from .tensions import TensionViewSet

__all__ = [
    "ActionItemViewSet",
    "AgendaItemViewSet",
    "AttendanceViewSet",
    "CalendarFeedViewSet",
    "MeetingSeriesViewSet",
    "MeetingViewSet",
    "MinutesViewSet",
    "TensionViewSet",
]

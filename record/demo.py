"""The record's demo data: the demo co-operative opens its decision log, council log, role directory and
minutes to the public, and the first circle gets a drafted term summary. Idempotent."""

from circles.models import Circle
from roles.models import Role, RoleAssignment

from .models import PUBLIC_VERBS, RecordSettings, TermSummary
from .services import record_settings_save, term_summary_draft


def load(*, organisation, members):
    founder = members["Alice Okafor"]
    if not RecordSettings.objects.filter(organisation=organisation).exists():
        record_settings_save(
            organisation=organisation,
            by=founder,
            public_decisions=True,
            public_log=True,
            public_roles=True,
            public_minutes=True,
            public_log_verbs=[v for v in PUBLIC_VERBS if v != "meeting.scheduled"],
        )
    circle = Circle.objects.active().filter(organisation=organisation, is_general=False).order_by("name").first()
    if circle is None or TermSummary.objects.filter(circle=circle).exists():
        return
    term = (
        RoleAssignment.objects.filter(role__circle=circle, role__kind=Role.Kind.STEWARD).order_by("started_at").first()
    )
    if term is None or term.planned_end_at is None or term.planned_end_at <= term.started_at:
        return
    term_summary_draft(circle=circle, since=term.started_at, until=term.planned_end_at, by=founder)

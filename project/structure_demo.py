"""Demo structure made by decisions: the general circle's bylaws (a section amended once, so that its
history shows a diff), a role split in Organisational Operations, and a working group with an end
date. Each decision is a consent round carrying its changes, which its enactment applied when it
passed (with their provenance). Looked up by title first: loading twice adds nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from circles.models import Circle
from proposals.demo import backdate_record
from proposals.models import Proposal
from proposals.services import (
    change_add,
    outcome_write,
    position_record,
    proposal_close,
    proposal_create,
    proposal_open,
)
from roles.models import Role

GENERAL = "General Circle"
OPS = "Organisational Operations"

BYLAWS = [
    (
        "Purpose",
        "Commons Cloud is a co-operative of the people who build and use its services. It exists to offer "
        "reliable, privacy-respecting hosting that its members own and govern together.",
    ),
    (
        "Membership",
        "Anyone who works for the co-operative may become a worker member.\n"
        "Anyone who uses its services may become a user member.",
    ),
    (
        "Decisions",
        "Each circle decides within its domain by consent. The general circle decides what no circle's "
        "domain covers, and may change any circle.",
    ),
]

DECISIONS = [
    {
        "circle": GENERAL,
        "author": "Alice Okafor",
        "title": "Adopt our bylaws",
        "body": "We write down the agreements we already live by, as the first three sections of our bylaws.",
        "positions": ["Ben Laurent", "Chiara Rossi", "Dev Patel", "Grace Mensah"],
        "days_ago": 60,
        "changes": [("policy.add_section", {"circle": "@general", "title": t, "body": b}) for t, b in BYLAWS],
    },
    {
        "circle": GENERAL,
        "author": "Hiro Tanaka",
        "title": "Welcome supporters as user members",
        "body": "People who support us without using our services should be able to join as user members.",
        "positions": ["Alice Okafor", "Ben Laurent", "Grace Mensah"],
        "days_ago": 30,
        "changes": [
            (
                "policy.amend_section",
                {
                    "section": "@section:Membership",
                    "title": "Membership",
                    "body": "Anyone who works for the co-operative may become a worker member.\n"
                    "Anyone who uses or supports its services may become a user member.",
                },
            )
        ],
    },
    {
        "circle": OPS,
        "author": "Ben Laurent",
        "title": "Split payroll out of bookkeeping",
        "body": "The bookkeeper carries too much. Payroll becomes a role of its own.",
        "positions": ["Elena Sokolova", "Grace Mensah", "Jonas Berg"],
        "days_ago": 20,
        "changes": [
            (
                "role.create",
                {
                    "circle": "@ops",
                    "name": "Payroll clerk",
                    "purpose": "Pays everyone correctly and on time.",
                    "accountabilities": ["Running payroll by the 25th of each month", "Filing payroll taxes"],
                    "time_hours": "3",
                    "term_months": 12,
                },
            ),
            (
                "role.amend",
                {
                    "role": "@role:Bookkeeper",
                    "accountabilities": ["Recording every invoice within a week", "Monthly bank reconciliation"],
                    "time_hours": "6",
                },
            ),
        ],
    },
    {
        "circle": GENERAL,
        "author": "Alice Okafor",
        "title": "A working group for the general assembly",
        "body": "A small group prepares this year's general assembly, and ends once it is held.",
        "positions": ["Ben Laurent", "Chiara Rossi", "Dev Patel"],
        "days_ago": 10,
        "changes": [
            (
                "working_group.create",
                {
                    "parent": "@ops",
                    "name": "General assembly 2027",
                    "goal": "Prepare and hold the annual general assembly: venue, agenda, accounts, elections.",
                    "ends_on": "@in:45",
                },
            )
        ],
    },
]


def _resolve(value, circles: dict[str, Circle]):
    """The demo's placeholders: @general, @ops, @section:<title>, @role:<name>, @in:<days>."""
    if not isinstance(value, str) or not value.startswith("@"):
        return value
    name, _sep, arg = value[1:].partition(":")
    if name == "general":
        return circles[GENERAL].pk
    if name == "ops":
        return circles[OPS].pk
    if name == "role":
        return Role.objects.active().get(circle=circles[OPS], name=arg).pk
    if name == "section":
        section = circles[GENERAL].policy.sections.in_force().get(title=arg)
        return section.pk
    if name == "in":
        return (timezone.localdate() + timedelta(days=int(arg))).isoformat()
    raise ValueError(value)


def _decide(spec, *, organisation, members, circles) -> None:
    """A proposal carrying the changes, consented to and closed: its enactment applies them."""
    circle = circles[spec["circle"]]
    author = members[spec["author"]]
    proposal = proposal_create(circle=circle, author=author, title=spec["title"], body=spec["body"])
    for key, raw in spec["changes"]:
        change_add(proposal=proposal, by=author, kind=key, data={k: _resolve(v, circles) for k, v in raw.items()})
    proposal = proposal_open(proposal=proposal, by=author)
    for name in spec["positions"]:
        position_record(proposal=proposal, member=members[name], kind="consent")
    closes_at = timezone.now() - timedelta(days=spec["days_ago"])
    Proposal.objects.filter(pk=proposal.pk).update(
        opened_at=closes_at - proposal.round_length, closes_at=closes_at, created_at=closes_at - timedelta(days=3)
    )
    proposal_close(proposal_id=proposal.pk, now=closes_at)
    proposal.refresh_from_db()
    outcome_write(proposal=proposal, by=author, statement=f"Agreed: {spec['title'].lower()}.")
    backdate_record(proposal, opened_at=proposal.opened_at, closes_at=proposal.closes_at)


def load(*, organisation, members):
    circles = {c.name: c for c in Circle.objects.filter(organisation=organisation)}
    for spec in DECISIONS:
        if Proposal.objects.filter(organisation=organisation, title=spec["title"]).exists():
            continue
        _decide(spec, organisation=organisation, members=members, circles=circles)

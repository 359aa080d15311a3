"""Demo proposals: the general circle's decision that created the three circles (its changes
enacted), an open consent round carrying a change, and a few decisions in the log. Each is looked up
by title first, so loading the demo twice adds nothing."""

from datetime import timedelta

from django.utils import timezone

from circles.models import Circle
from governance.models import Event

from .models import Position, Proposal, ProposalVersion, Proxy
from .proxies import proxy_give
from .services import change_add, outcome_write, position_record, proposal_close, proposal_create, proposal_open

ADOPT_TITLE = "Adopt three circles with a steward each"
ADOPT_BODY = (
    "We organise our work in three circles under the general circle:\n\n"
    "1. **Organisational Operations**: membership, finance, legal, governance.\n"
    "2. **Product Strategy and Services**: what we offer and to whom.\n"
    "3. **Technology Operations**: the platform and its security.\n\n"
    "Each circle has a steward, elected for a year, who keeps its roster and reports to the "
    "general circle. Decisions within a circle's domain are made by consent in that circle."
)
OPEN_TITLE = "Give Technology Operations a security circle"
ANONYMOUS_TITLE = "Set the members' annual fee at 60 euros"


def circles_adopt(*, organisation, author, circles: list[dict], voters: list, days_ago: int = 60) -> None:
    """The general circle's passed decision that creates the demo's circles, each with its steward
    (the circles' provenance links to it). `circles` are dicts of name, purpose, domains,
    accountabilities and steward (a Member). Nothing happens if it exists, or if the circles do."""
    if Proposal.objects.filter(organisation=organisation, title=ADOPT_TITLE).exists():
        return
    if Circle.objects.filter(organisation=organisation, name__in=[c["name"] for c in circles]).exists():
        return
    general = Circle.objects.get(organisation=organisation, is_general=True)
    proposal = proposal_create(
        circle=general, author=author, title=ADOPT_TITLE, body=ADOPT_BODY, round_length=timedelta(days=7)
    )
    for spec in circles:
        data = {key: spec[key] for key in ("name", "purpose", "domains", "accountabilities")}
        data.update(parent=general.pk, steward=spec["steward"].pk)
        change_add(proposal=proposal, by=author, kind="circle.create", data=data)
    proposal = proposal_open(proposal=proposal, by=author)
    for voter in voters:
        position_record(proposal=proposal, member=voter, kind="consent")
    _close_in_the_past(proposal, days_ago)
    outcome_write(
        proposal=proposal, by=author, statement="Agreed: three circles under the general circle, each with its steward."
    )
    backdate_record(proposal, opened_at=proposal.opened_at, closes_at=proposal.closes_at)


def _close_in_the_past(proposal, days_ago: int) -> None:
    """Backdate the round so that the decision log reads like a history, and close it then."""
    closes_at = timezone.now() - timedelta(days=days_ago)
    Proposal.objects.filter(pk=proposal.pk).update(
        opened_at=closes_at - proposal.round_length, closes_at=closes_at, created_at=closes_at - timedelta(days=9)
    )
    proposal_close(proposal_id=proposal.pk, now=closes_at)
    proposal.refresh_from_db()


CLOSED = [
    {
        "circle": "Organisational Operations",
        "author": "Ben Laurent",
        "title": "Publish our accounts quarterly to all members",
        "body": "Members should see where the money goes. We publish a summary of the accounts every quarter, "
        "within a month of its end, on the members' wiki.",
        "positions": [
            ("Elena Sokolova", "consent", ""),
            ("Grace Mensah", "consent", ""),
            ("Jonas Berg", "concern", "The first report will be late; let us say so openly."),
        ],
        "statement": "Agreed: quarterly accounts, published within a month of each quarter's end.",
        "days_ago": 40,
    },
    {
        "circle": "Technology Operations",
        "author": "Dev Patel",
        "title": "Move backups to a second provider",
        "body": "Today our backups live with the same provider as our servers. We copy them nightly to a second, "
        "independent provider in another country.",
        "positions": [("Farid Haddad", "consent", ""), ("Kemi Adeyemi", "consent", ""), ("Liam OBrien", "consent", "")],
        "statement": "Agreed: nightly off-site backups to a second provider, tested monthly.",
        "days_ago": 25,
    },
    {
        "circle": "Product Strategy and Services",
        "author": "Chiara Rossi",
        "title": "Raise the price of the hosted plan by 30 %",
        "body": "Our costs have risen. We raise the hosted plan's price by 30 % from next month.",
        "positions": [
            ("Hiro Tanaka", "objection", "Many user members cannot absorb 30 % at once; phase it in."),
            ("Farid Haddad", "consent", ""),
        ],
        "statement": "Not agreed. Chiara will bring a phased proposal that addresses Hiro's objection.",
        "days_ago": 12,
    },
]


def load(*, organisation, members):
    general = Circle.objects.get(organisation=organisation, is_general=True)
    technology = Circle.objects.filter(organisation=organisation, name="Technology Operations").first()
    if technology and not Proposal.objects.filter(organisation=organisation, title=OPEN_TITLE).exists():
        author = members["Dev Patel"]
        proposal = proposal_create(
            circle=general,
            author=author,
            title=OPEN_TITLE,
            body="Security work keeps being squeezed between other priorities. A small security circle inside "
            "Technology Operations would own incident response and the yearly audit.",
            round_length=timedelta(days=7),
        )
        change_add(
            proposal=proposal,
            by=author,
            kind="circle.create",
            data={
                "parent": technology.pk,
                "name": "Security",
                "purpose": "Keep our members' data safe.",
                "domains": "- Incident response\n- The yearly security audit",
                "accountabilities": "- Incidents reported to members within a day\n- An audit report each year",
                "steward": members["Farid Haddad"].pk,
            },
        )
        proposal = proposal_open(proposal=proposal, by=author)
        position_record(proposal=proposal, member=members["Kemi Adeyemi"], kind="consent")
        position_record(
            proposal=proposal,
            member=members["Liam OBrien"],
            kind="concern",
            reason="Let the security circle report to the general circle once a year too.",
        )
    for spec in CLOSED:
        if Proposal.objects.filter(organisation=organisation, title=spec["title"]).exists():
            continue
        circle = Circle.objects.get(organisation=organisation, name=spec["circle"])
        author = members[spec["author"]]
        proposal = proposal_create(circle=circle, author=author, title=spec["title"], body=spec["body"])
        proposal = proposal_open(proposal=proposal, by=author)
        for name, kind, reason in spec["positions"]:
            position_record(proposal=proposal, member=members[name], kind=kind, reason=reason)
        _close_in_the_past(proposal, spec["days_ago"])
        outcome_write(proposal=proposal, by=author, statement=spec["statement"])
        backdate_record(proposal, opened_at=proposal.opened_at, closes_at=proposal.closes_at)

    general = Circle.objects.get(organisation=organisation, is_general=True)
    _load_anonymous_round(organisation=organisation, general=general, members=members)


def _load_anonymous_round(*, organisation, general, members):
    """An anonymous majority vote (its results hidden until the close) in which Farid has given
    Elena his proxy for the general circle, and Elena has responded for both."""
    farid, elena = members["Farid Haddad"], members["Elena Sokolova"]
    if not Proxy.objects.filter(grantor=farid, circle=general).exists():
        proxy_give(grantor=farid, holder=elena, circle=general)
    if Proposal.objects.filter(organisation=organisation, title=ANONYMOUS_TITLE).exists():
        return
    proposal = proposal_create(
        circle=general,
        author=members["Ben Laurent"],
        title=ANONYMOUS_TITLE,
        body="The annual fee has been 50 euros since we started. We propose 60 euros from January; "
        "members who cannot pay it ask the membership circle, in confidence, for a reduced fee.",
        method="majority",
        anonymous=True,
        round_length=timedelta(days=10),
    )
    proposal = proposal_open(proposal=proposal, by=members["Ben Laurent"])
    position_record(proposal=proposal, member=elena, kind="agree")
    position_record(proposal=proposal, member=farid, by=elena, kind="agree")
    position_record(proposal=proposal, member=members["Jonas Berg"], kind="disagree", reason="Too steep at once.")


def backdate_record(proposal, *, opened_at, closes_at):
    """Date the positions, versions and events of a backdated round inside it (positions spread
    between the opening and the close), so that no page shows a position given after the round
    closed or an outcome written before it."""
    step = (closes_at - opened_at) / (proposal.positions.count() + 2)
    for number, position in enumerate(proposal.positions.order_by("created_at", "id"), start=1):
        Position.objects.filter(pk=position.pk).update(created_at=opened_at + step * number)
    ProposalVersion.objects.filter(proposal=proposal).update(created_at=opened_at - timedelta(days=1))
    events = Event.objects.filter(object_type="proposal", object_id=proposal.pk)
    events.filter(verb="proposal.opened").update(created_at=opened_at)
    for number, event in enumerate(events.filter(verb="position.recorded").order_by("id"), start=1):
        Event.objects.filter(pk=event.pk).update(created_at=opened_at + step * number)
    events.filter(verb="proposal.closed").update(created_at=closes_at)
    events.filter(verb="proposal.outcome_written").update(created_at=closes_at + timedelta(hours=2))

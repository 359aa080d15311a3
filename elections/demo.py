"""Demo elections: a sociocratic selection taking nominations and a ballot in its voting phase, on
the roles that roles' demo defines (roles/demo.py runs first). Each piece is looked up first, so
loading the demo twice adds nothing."""

from datetime import timedelta

from django.utils import timezone

from roles.demo import GENERAL, PRODUCT, circles_by_name
from roles.models import Counting, Election, ElectionMethod, Role

from .services import ballot_cast, candidacy_add, election_advance, election_open, nomination_add


def load(*, organisation, members):
    circles = circles_by_name(organisation)
    _selection(circles, members)
    _ballot(circles, members)


def _selection(circles, members):
    """A sociocratic selection of Product's next facilitator, taking nominations."""
    role = Role.objects.filter(circle=circles.get(PRODUCT), kind=Role.Kind.FACILITATOR).first()
    if role is None or Election.objects.filter(role=role).exists():
        return
    election = election_open(role=role, by=members["Chiara Rossi"], method=ElectionMethod.SOCIOCRATIC)
    nomination_add(
        election=election,
        nominee=members["Kemi Adeyemi"],
        by=members["Hiro Tanaka"],
        reason="Kemi hosts the technology meetings calmly and makes room for quieter voices.",
    )
    nomination_add(
        election=election,
        nominee=members["Farid Haddad"],
        by=members["Farid Haddad"],
        reason="I would like to learn facilitation, and I have time this year.",
    )
    nomination_add(
        election=election,
        nominee=members["Kemi Adeyemi"],
        by=members["Ines Garcia"],
        reason="She already knows our product decisions well.",
    )


def _ballot(circles, members):
    """The board, elected by ranked ballot (single transferable vote) in the general circle, voting."""
    role = Role.objects.filter(circle=circles.get(GENERAL), name="Board member").first()
    if role is None or Election.objects.filter(role=role).exists():
        return
    now = timezone.now()
    election = election_open(
        role=role,
        by=members["Alice Okafor"],
        method=ElectionMethod.BALLOT,
        counting=Counting.RANKED,
        applications_close_at=now + timedelta(hours=1),
        voting_closes_at=now + timedelta(days=6),
    )
    statements = {
        "Chiara Rossi": "I have chaired our product work for two years and want to bring that care to the board.",
        "Hiro Tanaka": "As a user member I will make sure the people who use our services are heard.",
        "Dev Patel": "I know our infrastructure and its costs; I will keep the board's decisions grounded.",
        "Ines Garcia": "I want the board to publish more and decide less behind closed doors.",
    }
    for name, statement in statements.items():
        candidacy_add(election=election, member=members[name], statement=statement)
    # Applications closed an hour early for the demo: the sweep's phase change, run now.
    Election.objects.filter(pk=election.pk).update(applications_close_at=now - timedelta(minutes=1))
    election_advance(election_id=election.pk)
    candidacies = {c.member.user.name: c.pk for c in election.candidacies.select_related("member__user")}
    for voter, choices in [
        ("Ben Laurent", ["Chiara Rossi", "Dev Patel"]),
        ("Grace Mensah", ["Hiro Tanaka", "Ines Garcia", "Chiara Rossi"]),
        ("Jonas Berg", ["Hiro Tanaka"]),
    ]:
        ballot_cast(election=election, member=members[voter], choices=[candidacies[c] for c in choices])

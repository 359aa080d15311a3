"""The demo's three circles were made by the general circle's decision, and say so."""

from circles.models import Circle
from governance.models import Provenance
from project.demo import CIRCLES, load_demo
from proposals.demo import ADOPT_TITLE, OPEN_TITLE
from proposals.models import Proposal


def test_the_demo_circles_come_from_the_general_circles_decision(db):
    organisation = load_demo()
    assert organisation.structure_by_consent
    decision = Proposal.objects.get(organisation=organisation, title=ADOPT_TITLE)
    assert decision.outcome == Proposal.Outcome.PASSED and decision.enacted is True
    assert decision.circle.is_general and decision.changes.count() == 3
    for spec in CIRCLES:
        circle = Circle.objects.get(organisation=organisation, name=spec["name"])
        (provenance,) = Provenance.objects.filter(object_type="circle", object_id=circle.pk)
        assert provenance.proposal_id == decision.pk and provenance.change_kind == "circle.create"
    pending = Proposal.objects.get(organisation=organisation, title=OPEN_TITLE)
    assert pending.is_open and pending.changes.get().kind == "circle.create"
    load_demo()
    assert Proposal.objects.filter(organisation=organisation, title=ADOPT_TITLE).count() == 1

"""The demo's structure made by decisions: bylaws with a history, a role split, a working group."""

from circles.models import Circle, PolicySection
from governance.models import Provenance
from project.demo import load_demo
from proposals.models import Proposal
from roles.models import Role


def test_the_demo_has_bylaws_a_role_split_and_a_working_group_each_by_decision(db):
    organisation = load_demo()
    load_demo()  # twice changes nothing
    sections = PolicySection.objects.filter(policy__circle__organisation=organisation, policy__circle__is_general=True)
    assert sections.count() == 3
    membership = sections.get(title="Membership")
    assert membership.version == 2 and membership.versions.count() == 2
    group = Circle.objects.get(organisation=organisation, name="General assembly 2027")
    assert group.is_working_group and group.goal
    clerk = Role.objects.get(circle__organisation=organisation, name="Payroll clerk")
    provenance = Provenance.objects.get(object_type="role", object_id=clerk.pk)
    assert provenance.proposal_title == "Split payroll out of bookkeeping"
    split = Proposal.objects.get(organisation=organisation, title="Split payroll out of bookkeeping")
    assert split.enacted is True and split.changes.count() == 2
    assert Provenance.objects.filter(organisation=organisation, object_type="circle", object_id=group.pk).count() == 1

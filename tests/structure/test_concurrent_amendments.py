"""Two decisions amending one role, closing at the same moment, on PostgreSQL: the role's row lock
applies them one after the other, and the second is checked against the first's result."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from governance.changes import ChangeInvalid, change_kinds
from proposals.models import Proposal
from proposals.services import proposal_close
from roles.models import Role
from tests.changes.helpers import opened
from tests.concurrency import run_together
from tests.factories import make_role

from .helpers import decision

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_amendments_of_one_role_apply_one_after_the_other(world):
    """One makes the role renew on its own, the other makes it elected: each is valid alone, but an
    elected role does not renew automatically, so whichever comes second no longer applies."""
    role = make_role(world.finance, "Bookkeeper", term_months=6)
    kind = change_kinds["role.amend"]
    drafts = [
        kind.clean(decision(world, proposal_id=1), {"role": role.pk, "auto_renew": True}),
        kind.clean(decision(world, proposal_id=2), {"role": role.pk, "selection": "elected"}),
    ]

    def close(i):
        try:
            with transaction.atomic():
                return kind.apply(decision(world, proposal_id=i + 1), drafts[i])
        except ChangeInvalid as refusal:
            return refusal

    results = run_together(2, close)

    refusals = [r for r in results if isinstance(r, ChangeInvalid)]
    assert len(refusals) == 1
    assert refusals[0].message == "Elected roles are not renewed automatically: the election decides."
    role = Role.objects.get(pk=role.pk)
    assert (role.auto_renew, role.selection == "elected") in {(True, False), (False, True)}


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_proposals_amending_one_role_closing_at_the_same_moment(world):
    """Through proposals: both rounds pass at once; the enactments run one after the other and the
    second, checked against the first's result, is "passed, not enacted"."""
    role = make_role(world.finance, "Bookkeeper", term_months=6)
    steve = world.member(world.steve)
    renew = opened(world.finance, steve, ("role.amend", {"role": role.pk, "auto_renew": True}), title="Renew")
    elect = opened(world.finance, steve, ("role.amend", {"role": role.pk, "selection": "elected"}), title="Elect")
    past = timezone.now() - timedelta(minutes=1)
    Proposal.objects.filter(pk__in=[renew.pk, elect.pk]).update(closes_at=past)

    assert run_together(2, lambda i: proposal_close(proposal_id=(renew, elect)[i].pk)) == [True, True]

    results = sorted(Proposal.objects.filter(pk__in=[renew.pk, elect.pk]), key=lambda p: bool(p.enacted))
    assert [p.enacted for p in results] == [False, True]
    assert "Elected roles are not renewed automatically" in results[0].enactment_error
    role = Role.objects.get(pk=role.pk)
    assert (role.auto_renew, role.selection == "elected") in {(True, False), (False, True)}

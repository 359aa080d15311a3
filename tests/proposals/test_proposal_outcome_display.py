"""Proposal.get_outcome_display is the model's own (the closing email asks for it three times per
round); it says what Django's generated method says, in every language."""

import pytest
from django.utils import translation

from proposals.models import Proposal


@pytest.mark.parametrize("language", ["en", "fr", "es", "de"])
@pytest.mark.parametrize("outcome", [*Proposal.Outcome.values, "", "not-a-choice"])
def test_it_says_what_djangos_own_says(outcome, language):
    proposal = Proposal(outcome=outcome)
    field = Proposal._meta.get_field("outcome")

    with translation.override(language):
        assert proposal.get_outcome_display() == proposal._get_FIELD_display(field)

"""The hooks through which a lower app lets a higher one take part (governance.registry): each is
filled by the app above it when the apps are ready, so circles never names roles, roles never names
elections, and proposals never names elections."""

from circles import hooks as circle_hooks
from elections import councils as election_councils
from elections import services as election_services
from meetings.services import tensions as meeting_tensions
from proposals import hooks as proposal_hooks
from roles import hooks as role_hooks
from roles import queries as role_queries
from roles import services as role_services


def test_roles_listens_to_circles():
    assert circle_hooks.circle_founded.receivers == (role_services.core_roles_ensure,)
    assert circle_hooks.roster_removing.receivers == (
        role_services.roster_removal_refusal,
        election_councils.council_removal_refusal,  # elections: nor a council seat an elected term brought
    )
    assert circle_hooks.stewards.receivers == (role_queries.stewards_by_circle,)


def test_elections_listen_to_roles_and_proposals():
    assert role_hooks.rotation_steps.receivers == (election_services.elections_rotation_step,)
    assert role_hooks.role_archived.receivers == (election_services.elections_cancel_for_role,)
    assert proposal_hooks.round_closed.receivers == (
        election_services.election_rounds_closed,
        meeting_tensions.tensions_follow_closed_rounds,  # meetings: a tension in a proposal is resolved
    )
    assert proposal_hooks.round_withdrawn.receivers == (meeting_tensions.tension_follow_withdrawn_round,)

"""Policies: a circle's versioned written agreements, changed by decisions; every version kept."""

import pytest

from circles.models import PolicySection, PolicySectionVersion
from circles.policies import policy_sections, version_history
from governance.changes import ChangeInvalid, change_kinds
from governance.models import Event, Provenance

from .helpers import decision, enact


@pytest.fixture
def section(world):
    (section,) = enact(
        decision(world, proposal_id=7, title="Adopt the bylaws"),
        "policy.add_section",
        {"circle": world.general.pk, "title": "Membership", "body": "Anyone who shares our purpose may join."},
    )
    return section


def test_adding_a_section_makes_the_bylaws_and_its_first_version(world, section):
    assert section.policy.title == "Bylaws" and section.position == 1 and section.version == 1
    (version,) = section.versions.all()
    assert (version.number, version.proposal_id, version.proposal_title) == (1, 7, "Adopt the bylaws")
    assert version.override_reason == "" and version.actor == world.member(world.alice)
    assert Provenance.objects.get(object_type="policysection", object_id=section.pk).circle == world.general
    event = Event.objects.get(verb="policy.section_added")
    assert event.details["decision"] == {"proposal": 7, "title": "Adopt the bylaws"}


def test_a_sub_circle_policy_is_named_after_it(world):
    (section,) = enact(
        decision(world), "policy.add_section", {"circle": world.finance.pk, "title": "Spending", "body": "x"}
    )
    assert section.policy.title == "Policies of Finance"


def test_amending_keeps_every_version_with_its_decision(world, section):
    ctx = decision(world, proposal_id=8, title="Open membership")
    kind = change_kinds["policy.amend_section"]
    data = kind.clean(ctx, {**kind.initial(section), "body": "Anyone may join.\nMembers pay no fee."})
    assert data["base_version"] == 1
    rows = kind.describe(ctx, data).rows
    assert rows[-1].text and rows[-1].before == "Anyone who shares our purpose may join."
    kind.apply(ctx, data)
    section.refresh_from_db()
    assert section.version == 2 and section.body == "Anyone may join.\nMembers pay no fee."
    numbers = list(section.versions.values_list("number", "proposal_id"))
    assert numbers == [(2, 8), (1, 7)]
    history = version_history(policy_sections(world.general).get())
    assert ("+", "Members pay no fee.") in history[0]["diff"]
    assert ("-", "Anyone who shares our purpose may join.") in history[0]["diff"]


def test_an_amendment_drafted_on_an_older_version_does_not_apply(world, section):
    kind = change_kinds["policy.amend_section"]
    first = kind.clean(decision(world, proposal_id=8), {**kind.initial(section), "body": "First rewrite."})
    second = kind.clean(decision(world, proposal_id=9), {**kind.initial(section), "body": "Second rewrite."})
    kind.apply(decision(world, proposal_id=8), first)
    with pytest.raises(ChangeInvalid, match=r"changed since this was drafted \(version 2 now, not 1\)"):
        kind.apply(decision(world, proposal_id=9), second)
    assert PolicySectionVersion.objects.filter(section=section).count() == 2


def test_repealing_is_a_version_and_nothing_is_deleted(world, section):
    enact(decision(world, proposal_id=10), "policy.repeal_section", {"section": section.pk})
    section.refresh_from_db()
    assert section.is_repealed and section.version == 2
    assert section.versions.get(number=2).is_repeal
    assert not policy_sections(world.general).exists()
    assert PolicySection.objects.filter(pk=section.pk).exists()
    with pytest.raises(ChangeInvalid, match="has been repealed"):
        change_kinds["policy.amend_section"].clean(
            decision(world), {"section": section.pk, "title": "Membership", "body": "Again"}
        )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "body": "x"}, "A section needs a title."),
        ({"title": "Fees", "body": " "}, "Write the section's text."),
        ({"title": "membership", "body": "x"}, "The policy already has a section called “membership”."),
    ],
)
def test_it_refuses_a_section_it_cannot_add(world, section, data, message):
    with pytest.raises(ChangeInvalid) as refusal:
        change_kinds["policy.add_section"].clean(decision(world), {"circle": world.general.pk, **data})
    assert refusal.value.message == message


def test_an_amendment_must_change_the_text(world, section):
    with pytest.raises(ChangeInvalid, match="leaves the section as it is"):
        change_kinds["policy.amend_section"].clean(
            decision(world), change_kinds["policy.amend_section"].initial(section)
        )


def test_the_policy_page_shows_sections_their_decision_and_history(
    world, section, as_user, django_assert_max_num_queries
):
    kind = change_kinds["policy.amend_section"]
    kind.apply(
        decision(world, proposal_id=8, title="Open membership"),
        kind.clean(decision(world), {**kind.initial(section), "body": "Anyone may join."}),
    )
    enact(
        decision(world, proposal_id=9),
        "policy.add_section",
        {"circle": world.general.pk, "title": "Fees", "body": "None."},
    )
    client = as_user(world.mia)
    url = f"/o/acme/c/{world.general.slug}/policy/"
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bylaws" in page and "Membership" in page and "Fees" in page
    assert 'Decided by <a href="/o/acme/p/8/">Open membership</a>' in page
    assert "Anyone who shares our purpose may join." in page  # in the history's diff
    with django_assert_max_num_queries(14):
        client.get(url)
    for number in range(5):
        enact(
            decision(world, proposal_id=20 + number),
            "policy.add_section",
            {"circle": world.general.pk, "title": f"S{number}", "body": "x"},
        )
    with django_assert_max_num_queries(14):
        client.get(url)


def test_outsiders_do_not_see_the_policy(world, as_user):
    assert as_user(world.olga).get(f"/o/acme/c/{world.general.slug}/policy/").status_code == 404


def test_the_policy_page_offers_to_propose_an_amendment_prefilled(world, section, as_user):
    client = as_user(world.mia)
    page = client.get(f"/o/acme/c/{world.general.slug}/policy/").content.decode()
    link = f"/o/acme/c/{world.general.slug}/propose/?kind=policy.amend_section&amp;object={section.pk}"
    assert link in page
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert "Anyone who shares our purpose may join." in form

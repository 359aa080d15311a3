"""The policies' read API."""

from .helpers import decision, enact


def test_it_lists_sections_with_their_versions_to_members_only(world, client):
    (section,) = enact(
        decision(world, proposal_id=5, title="Bylaws"),
        "policy.add_section",
        {"circle": world.general.pk, "title": "Purpose", "body": "We cook."},
    )
    client.force_login(world.mia)
    answer = client.get(f"/api/v1/policy-sections/?circle={world.general.pk}").json()
    (row,) = answer["results"]
    assert row["title"] == "Purpose" and row["policy_title"] == "Bylaws"
    assert row["versions"][0]["proposal_id"] == 5
    assert client.get(f"/api/v1/policy-sections/{section.pk}/").status_code == 200
    client.force_login(world.olga)
    assert client.get(f"/api/v1/policy-sections/{section.pk}/").status_code == 404
    assert client.get("/api/v1/policy-sections/").json()["results"] == []

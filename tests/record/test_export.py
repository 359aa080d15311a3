"""The export: a streamed zip of JSON and CSV per table, every row of every governance table (the list
read from the app registry), secrets and anonymous positions left out; a member's own data."""

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse

from governance.models import User
from project.demo import load_demo
from proposals.models import Position
from proposals.services import position_record
from record.export import governance_models, member_export, organisation_export, organisation_path
from tests.factories import make_proposal


def _unzip(chunks) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(chunks)))


@pytest.mark.django_db
def test_the_demos_export_holds_every_row_of_every_governance_table():
    organisation = load_demo()
    archive = _unzip(organisation_export(organisation))
    manifest = json.loads(archive.read("manifest.json"))
    labels = {m._meta.app_label for m in governance_models()}
    assert {"governance", "circles", "roles", "proposals", "meetings", "record"} <= labels
    checked = 0
    for model in governance_models():
        name = f"{model._meta.app_label}/{model._meta.model_name}"
        assert organisation_path(model) is not None, f"{name} leads to no organisation"
        rows = json.loads(archive.read(f"{name}.json"))
        expected = (
            User.objects.filter(memberships__organisation=organisation).distinct().count()
            if model is User
            else model._default_manager.count()  # the demo is the only organisation
        )
        assert len(rows) == expected == manifest["tables"][name]["rows"], name
        table = list(csv.reader(io.StringIO(archive.read(f"{name}.csv").decode())))
        assert len(table) == expected + 1, name
        checked += 1
    assert checked == len(governance_models())
    text = b"".join(archive.read(n) for n in archive.namelist()).decode()
    assert "pbkdf2" not in text and "token_hash" not in text and "key_hash" not in text


def test_the_response_streams(world, as_user):
    response = as_user(world.alice).post(reverse("record-export-organisation", kwargs={"org": "acme"}))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    archive = _unzip(response.streaming_content)
    assert "circles/circle.json" in archive.namelist()
    assert as_user(world.mia).post(reverse("record-export-organisation", kwargs={"org": "acme"})).status_code == 403
    assert as_user(world.olga).post(reverse("record-export-organisation", kwargs={"org": "acme"})).status_code == 404


def test_no_export_says_who_took_which_position_in_an_anonymous_round(world):
    proposal = make_proposal(world.finance, world.member(world.steve), title="Secret", anonymous=True)
    position_record(proposal=proposal, member=world.member(world.mia), kind="objection", reason="No")
    archive = _unzip(organisation_export(world.organisation))
    rows = [r for r in json.loads(archive.read("proposals/position.json")) if r["proposal_id"] == proposal.pk]
    assert rows and all(r["member_id"] is None and r["created_at"] is None for r in rows)
    assert Position.objects.filter(proposal=proposal).count() == len(rows)


def test_a_member_downloads_their_own_data(world, as_user):
    make_proposal(world.finance, world.member(world.steve), title="Steve's plan")
    response = as_user(world.mia).post(reverse("record-export-mine", kwargs={"org": "acme"}))
    archive = _unzip(response.streaming_content)
    users = json.loads(archive.read("governance/user.json"))
    assert [u["email"] for u in users] == ["mia@acme.test"]
    assert [m["id"] for m in json.loads(archive.read("governance/member.json"))] == [world.member(world.mia).pk]
    assert json.loads(archive.read("proposals/proposal.json")) == []
    mine = _unzip(member_export(world.member(world.steve)))
    assert [p["title"] for p in json.loads(mine.read("proposals/proposal.json"))] == ["Steve's plan"]

"""Quotes and receipts: checked for type and size, stored through the storage API, served only to
those who may see the spending."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from governance.errors import Invalid, NotAllowed
from money import services
from money.models import Attachment


@pytest.fixture
def spending(world, money):
    return services.spending_create(
        budget=money.budget, by=world.member(world.mia), title="Server", amount="10.00", purpose="x", payee_name="H"
    )


def upload(name, content, content_type):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("run.exe", b"MZ\x90\x00", "application/octet-stream"),
        ("page.html", b"<script>alert(1)</script>", "text/html"),
        ("quote.pdf", b"MZ not a pdf", "application/pdf"),  # its bytes are not a PDF's
        ("quote.png", b"%PDF-1.4", "application/pdf"),  # the name says PNG, the type PDF
        ("image.svg", b"<svg onload=alert(1)>", "image/svg+xml"),
    ],
)
def test_it_refuses_files_of_the_wrong_type(world, spending, name, content, content_type):
    with pytest.raises(Invalid):
        services.attachment_add(spending=spending, by=world.member(world.mia), file=upload(name, content, content_type))
    assert not Attachment.objects.exists()


def test_it_refuses_a_file_too_large(world, spending, settings):
    settings.MONEY_ATTACHMENT_MAX_BYTES = 1024
    big = upload("quote.pdf", b"%PDF" + b"0" * 1024, "application/pdf")
    with pytest.raises(Invalid, match="too large"):
        services.attachment_add(spending=spending, by=world.member(world.mia), file=big)


def test_only_the_circle_adds_attachments(world, spending):
    with pytest.raises(NotAllowed):
        services.attachment_add(
            spending=spending, by=world.member(world.nora), file=upload("q.pdf", b"%PDF-1", "application/pdf")
        )


def test_a_draft_s_attachment_is_hidden_from_other_members_and_outsiders(world, spending, as_user):
    attachment = services.attachment_add(
        spending=spending, by=world.member(world.mia), file=upload("q.pdf", b"%PDF-1 quote", "application/pdf")
    )
    url = f"/o/{world.organisation.slug}/money/attachments/{attachment.pk}/"
    assert as_user(world.mia).get(url).status_code == 200  # the author
    for user in (world.nora, world.olga, world.oscar):
        assert as_user(user).get(url).status_code == 404
    assert as_user(world.olga).get(f"/o/{world.other.slug}/money/attachments/{attachment.pk}/").status_code == 404


def test_the_file_is_stored_under_the_organisation_through_the_storage_api(world, spending):
    attachment = services.attachment_add(
        spending=spending, by=world.member(world.mia), file=upload("q.txt", b"quote", "text/plain")
    )
    assert attachment.file.name.startswith(f"money/{world.organisation.pk}/")
    assert attachment.file.storage.exists(attachment.file.name)

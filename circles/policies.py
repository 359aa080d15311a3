"""A circle's written agreements: writes (one function per write) and the reads the pages and the API
share. A section changes only by a new version, made by a decision (a proposal's change) or an admin's
override, both named by a governance.changes.ChangeContext; a repeal is a version too."""

from __future__ import annotations

import difflib

from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext

from governance.changes import ChangeContext
from governance.emails import fit_text
from governance.errors import Conflict, Invalid
from governance.services import event_record
from governance.services.provenance import provenance_record

from .models import Circle, Policy, PolicySection, PolicySectionVersion

TITLE_MAX = 200
BODY_MAX = 20000


def policy_title(circle: Circle) -> str:
    return gettext("Bylaws") if circle.is_general else gettext("Policies of %(circle)s") % {"circle": circle.name}


def policy_ensure(*, circle: Circle) -> Policy:
    """The circle's policy document, made empty the first time a section is added."""
    policy, _created = Policy.objects.get_or_create(
        circle=circle, defaults={"title": fit_text(policy_title(circle), 150)}
    )
    return policy


def section_text(*, title: str, body: str) -> tuple[str, str]:
    """A section's title and text, normalised, or Invalid saying what to fix."""
    title = (title or "").strip()
    body = (body or "").strip()
    if not title:
        raise Invalid(gettext("A section needs a title."), field="title")
    if len(title) > TITLE_MAX or "\n" in title or "\r" in title:
        raise Invalid(
            gettext("A section's title is one line of at most %(max)s characters.") % {"max": TITLE_MAX}, field="title"
        )
    if not body:
        raise Invalid(gettext("Write the section's text."), field="body")
    if len(body) > BODY_MAX:
        raise Invalid(gettext("Keep a section to %(max)s characters.") % {"max": BODY_MAX}, field="body")
    return title, body


def section_base_check(section: PolicySection, base_version: int | None) -> None:
    """A change drafted against one version of a section refuses to apply over a later one."""
    if section.is_repealed:
        raise Conflict(
            gettext("The section “%(title)s” has been repealed.") % {"title": section.title}, field="section"
        )
    if base_version is not None and base_version != section.version:
        raise Conflict(
            gettext("The section “%(title)s” changed since this was drafted (version %(now)s now, not %(then)s).")
            % {"title": section.title, "now": section.version, "then": base_version},
            field="section",
        )


def _version(ctx: ChangeContext, section: PolicySection, *, change_kind: str, summary: str, repeal=False):
    """The section's new version, naming the decision behind it. A decision's provenance is recorded
    by the proposal that enacts it (for the objects its change returns); an admin's override records
    its own here, so that the section shows it."""
    if ctx.proposal_id is None:
        provenance_record(ctx=ctx, obj=section, change_kind=change_kind, summary=summary, circle=section.policy.circle)
    return PolicySectionVersion.objects.create(
        section=section,
        number=section.version,
        title=section.title,
        body=section.body,
        is_repeal=repeal,
        proposal_id=ctx.proposal_id,
        proposal_title=fit_text(ctx.proposal_title, 200),
        override_reason=fit_text(ctx.override_reason, 300),
        actor=ctx.actor,
    )


def _event(ctx: ChangeContext, section: PolicySection, verb: str, **details) -> None:
    event_record(
        organisation=ctx.organisation,
        actor=ctx.actor,
        verb=verb,
        obj=section,
        circle=section.policy.circle,
        details={"section": section.title, "version": section.version, **details, **ctx.event_details()},
    )


@transaction.atomic
def policy_section_add(*, ctx: ChangeContext, circle: Circle, title: str, body: str) -> PolicySection:
    """Add a section at the end of the circle's policy document (its first version)."""
    title, body = section_text(title=title, body=body)
    if circle.is_archived:
        raise Conflict(gettext("The circle “%(circle)s” is archived.") % {"circle": circle}, field="circle")
    policy = Policy.objects.select_for_update().get(pk=policy_ensure(circle=circle).pk)
    if policy.sections.in_force().filter(title__iexact=title).exists():
        raise Invalid(gettext("The policy already has a section called “%(title)s”.") % {"title": title}, field="title")
    last = policy.sections.aggregate(last=Max("position"))["last"] or 0
    section = PolicySection.objects.create(policy=policy, position=last + 1, title=title, body=body)
    summary = gettext("Add the section “%(title)s” to %(policy)s") % {"title": title, "policy": policy.title}
    _version(ctx, section, change_kind="policy.add_section", summary=summary)
    _event(ctx, section, "policy.section_added")
    return section


@transaction.atomic
def policy_section_amend(
    *, ctx: ChangeContext, section: PolicySection, title: str, body: str, base_version: int | None = None
) -> PolicySection:
    """Write a new version of a section."""
    title, body = section_text(title=title, body=body)
    section = PolicySection.objects.select_for_update(of=("self",)).select_related("policy__circle").get(pk=section.pk)
    section_base_check(section, base_version)
    if (section.title, section.body) == (title, body):
        raise Invalid(gettext("This leaves the section as it is."), field="body")
    clash = section.policy.sections.in_force().filter(title__iexact=title).exclude(pk=section.pk)
    if clash.exists():
        raise Invalid(gettext("The policy already has a section called “%(title)s”.") % {"title": title}, field="title")
    before = section.title
    section.title, section.body, section.version = title, body, section.version + 1
    section.save(update_fields=["title", "body", "version"])
    summary = gettext("Amend the section “%(title)s” of %(policy)s") % {"title": before, "policy": section.policy.title}
    _version(ctx, section, change_kind="policy.amend_section", summary=summary)
    _event(ctx, section, "policy.section_amended")
    return section


@transaction.atomic
def policy_section_repeal(
    *, ctx: ChangeContext, section: PolicySection, base_version: int | None = None
) -> PolicySection:
    """Repeal a section: a last version says so, and the section leaves the document in force."""
    section = PolicySection.objects.select_for_update(of=("self",)).select_related("policy__circle").get(pk=section.pk)
    section_base_check(section, base_version)
    section.version += 1
    section.repealed_at = timezone.now()
    section.save(update_fields=["version", "repealed_at"])
    summary = gettext("Repeal the section “%(title)s” of %(policy)s") % {
        "title": section.title,
        "policy": section.policy.title,
    }
    _version(ctx, section, change_kind="policy.repeal_section", summary=summary, repeal=True)
    _event(ctx, section, "policy.section_repealed")
    return section


# Reads ------------------------------------------------------------------------------------------


def policy_sections(circle: Circle, *, repealed: bool = False):
    """The sections of the circle's document in order, each with its versions, newest first (two
    queries, however many sections and versions)."""
    rows = PolicySection.objects.filter(policy__circle=circle)
    if not repealed:
        rows = rows.in_force()
    versions = PolicySectionVersion.objects.select_related("actor__user").order_by("-number")
    return rows.prefetch_related(Prefetch("versions", queryset=versions)).order_by("position")


def text_diff(before: str, after: str) -> list[tuple[str, str]]:
    """A line diff for the page: (op, line) with op "+" added, "-" removed, " " kept."""
    rows = []
    for line in difflib.ndiff((before or "").splitlines(), (after or "").splitlines()):
        if line.startswith("? "):
            continue
        rows.append((line[0], line[2:]))
    return rows


def version_history(section: PolicySection) -> list[dict]:
    """Each version of a (prefetched) section, newest first, with the diff from the one before it."""
    versions = list(section.versions.all())
    history = []
    for index, version in enumerate(versions):
        previous = versions[index + 1] if index + 1 < len(versions) else None
        history.append(
            {
                "version": version,
                "title_changed": previous is not None and previous.title != version.title,
                "previous_title": previous.title if previous else "",
                "diff": [] if version.is_repeal else text_diff(previous.body if previous else "", version.body),
            }
        )
    return history

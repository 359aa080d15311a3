"""Bulk onboarding: many people invited at once from a pasted list, a CSV file or one API request,
and people who already have an account added directly.

Each line says an email address and, optionally, a name, a membership class and circles (by name or
address, separated by ";"). `onboarding_check` reads the whole batch with a constant number of
queries and gives each line its problems (a bad address, the same address twice in the file, already
a member, already invited, an unknown class or circle, a name too long, a circle the inviter may not
invite into). `onboarding_send` checks again (what was previewed may have changed) and, for the good
lines only, sends one invitation each through governance's `invitation_create` (or, for an admin
adding someone with an account, `member_add` and the circles' `roster_add`); a bad line creates
nothing. It lives in the project package because a line names circles, which the core does not know.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import rules
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from circles.models import Circle, CircleMembership
from circles.services import roster_add
from governance.errors import DomainError, Invalid, NotAllowed
from governance.models import Invitation, Member, MembershipClass, Organisation, User
from governance.services import invitation_create, member_add
from governance.services.invitations import NAME_MAX, invitation_link

EMAIL_MAX = 254
HEADER_WORDS = {"email", "e-mail", "email address", "mail"}
COLUMNS = ("email", "name", "membership_class", "circles")
_HEADER_ALIASES = {
    "email": "email",
    "e-mail": "email",
    "email address": "email",
    "mail": "email",
    "name": "name",
    "full name": "name",
    "membership class": "membership_class",
    "membership_class": "membership_class",
    "class": "membership_class",
    "circles": "circles",
    "circle": "circles",
}


@dataclass
class Line:
    """One person of a batch: what the line said, and what became of it."""

    number: int
    email: str
    name: str = ""
    membership_class: str = ""
    circles: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    status: str = "ok"  # ok (would be sent) · error · invited · added
    invitation: Invitation | None = None
    member: Member | None = None
    link: str = ""
    # Resolved by the check:
    resolved_class: MembershipClass | None = None
    resolved_circles: list[Circle] = field(default_factory=list)
    has_account: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def lines_from_text(text: str) -> list[dict]:
    """Rows of a pasted list or a CSV file: comma- (or semicolon-, or tab-) separated, with an optional
    header row naming the columns (email, name, membership class, circles), else in that order. A line
    with only an address is enough. Blank lines are skipped; line numbers are the file's."""
    text = (text or "").lstrip("\ufeff")
    sample = "\n".join(text.splitlines()[:5])
    delimiter = "\t" if "\t" in sample else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True)
    rows, columns, header_read = [], list(COLUMNS), False
    for cells in reader:
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if not rows and not header_read and cells[0].lower() in HEADER_WORDS:
            header_read = True
            columns = [_HEADER_ALIASES.get(c.lower(), c.lower()) for c in cells]
            continue
        row = {"line": reader.line_num, **dict.fromkeys(COLUMNS, "")}
        for column, value in zip(columns, cells, strict=False):
            if column in COLUMNS:
                row[column] = value
        if len(cells) > len(columns):
            row["extra"] = cells[len(columns) :]
        rows.append(row)
    return rows


def _split_circles(value) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value or "").replace("|", ";").split(";") if part.strip()]


def may_onboard(user, organisation: Organisation) -> bool:
    return rules.test_rule("governance.invite_members", user, organisation)


def onboarding_check(
    *,
    organisation: Organisation,
    by: Member,
    rows: list[dict],
    default_class: MembershipClass | None = None,
    add_existing: bool = False,
) -> list[Line]:
    """Each row's problems, in a constant number of queries whatever the batch's size. Rows are
    dicts with `email` and optionally `name`, `membership_class` (a name), `circles` (names or
    addresses, a list or ";"-separated) and `line` (its number in the file)."""
    if len(rows) > settings.ONBOARDING_MAX_LINES:
        raise Invalid(
            _("At most %(max)d people at once; this list has %(count)d. Split it in parts.")
            % {"max": settings.ONBOARDING_MAX_LINES, "count": len(rows)}
        )
    if add_existing and not by.is_admin:
        raise NotAllowed(_("Only an admin adds people who have an account directly; a steward invites them."))
    user = by.user
    lines = []
    for index, row in enumerate(rows, start=1):
        lines.append(
            Line(
                number=int(row.get("line") or index),
                email=str(row.get("email") or "").strip().lower(),
                name=" ".join(str(row.get("name") or "").split()),
                membership_class=str(row.get("membership_class") or "").strip(),
                circles=_split_circles(row.get("circles")),
            )
        )
        if row.get("extra"):
            lines[-1].errors.append(_("Too many columns: email, name, membership class, circles."))
    emails = {line.email for line in lines if line.email}
    members = set(
        Member.objects.filter(organisation=organisation, status=Member.Status.ACTIVE, user__email__in=emails)
        .values_list("user__email", flat=True)
        .iterator()
    )
    invited = set(
        Invitation.objects.pending().filter(organisation=organisation, email__in=emails).values_list("email", flat=True)
    )
    accounts = set()
    if add_existing:
        accounts = set(User.objects.filter(email__in=emails, is_active=True).values_list("email", flat=True))
    classes = {c.name.lower(): c for c in MembershipClass.objects.filter(organisation=organisation)}
    circles = list(Circle.objects.active().filter(organisation=organisation, is_general=False))
    by_name = {c.name.lower(): c for c in circles} | {c.slug: c for c in circles}
    allowed = {c.pk for c in circles if by.is_admin or rules.test_rule("circles.manage_roster", user, c)}
    first_line = {}
    for line in lines:
        _check_line(line, first_line, members, invited, classes, default_class, by_name, allowed, by.is_admin)
        line.has_account = line.email in accounts
        line.status = "ok" if line.ok else "error"
    return lines


def _check_line(line, first_line, members, invited, classes, default_class, by_name, allowed, is_admin) -> None:
    errors = line.errors
    if not line.email:
        errors.append(_("No email address."))
    else:
        try:
            if len(line.email) > EMAIL_MAX:
                raise ValidationError("too long")
            validate_email(line.email)
        except ValidationError:
            errors.append(_("“%(email)s” is not an email address.") % {"email": line.email[:80]})
        else:
            if line.email in first_line:
                errors.append(_("The same address as line %(line)d.") % {"line": first_line[line.email]})
            else:
                first_line[line.email] = line.number
            if line.email in members:
                errors.append(_("Already a member."))
            elif line.email in invited:
                errors.append(_("Already invited: resend that invitation instead."))
    if len(line.name) > NAME_MAX:
        errors.append(_("The name is longer than %(max)d characters.") % {"max": NAME_MAX})
    if line.membership_class:
        line.resolved_class = classes.get(line.membership_class.lower())
        if line.resolved_class is None:
            errors.append(_("No membership class called “%(name)s”.") % {"name": line.membership_class[:80]})
    else:
        line.resolved_class = default_class
        if default_class is None:
            errors.append(_("Say the membership class."))
    for name in line.circles:
        circle = by_name.get(name.lower())
        if circle is None:
            errors.append(_("No active circle called “%(name)s”.") % {"name": name[:80]})
        elif circle.pk not in allowed:
            errors.append(_("You may not invite people into %(circle)s.") % {"circle": circle.name})
        elif circle not in line.resolved_circles:
            line.resolved_circles.append(circle)
    if not is_admin and not line.circles:
        errors.append(_("Name a circle you steward: stewards invite people into their circles."))


@transaction.atomic
def onboarding_send(
    *,
    organisation: Organisation,
    by: Member,
    rows: list[dict],
    default_class: MembershipClass | None = None,
    add_existing: bool = False,
    message: str = "",
) -> list[Line]:
    """Check the batch again and act on its good lines only: an invitation each (into the first
    circle named, and the others on accepting), or, for an admin with `add_existing`, a direct
    membership for someone who has an account. Each line is its own savepoint: a line that a rule
    still refuses at the last moment (someone invited them meanwhile) gets that message, and the
    others go ahead."""
    lines = onboarding_check(
        organisation=organisation, by=by, rows=rows, default_class=default_class, add_existing=add_existing
    )
    accounts = {}
    if add_existing:
        wanted = [line.email for line in lines if line.ok and line.has_account]
        accounts = {u.email: u for u in User.objects.filter(email__in=wanted)}
    for line in lines:
        if not line.ok:
            continue
        try:
            with transaction.atomic():
                if line.email in accounts:
                    _add_directly(line, organisation=organisation, by=by, user=accounts[line.email])
                else:
                    _invite(line, organisation=organisation, by=by, message=message)
        except DomainError as error:
            line.errors.append(error.message)
            line.status = "error"
    return lines


def _invite(line: Line, *, organisation, by, message) -> None:
    first, *more = line.resolved_circles or [None]
    line.invitation, token = invitation_create(
        organisation=organisation,
        by=by,
        email=line.email,
        name=line.name,
        membership_class=line.resolved_class,
        circle=first,
        more_circles=more,
        message=message,
    )
    line.link = invitation_link(token)
    line.status = "invited"


def _add_directly(line: Line, *, organisation, by, user) -> None:
    line.member = member_add(organisation=organisation, user=user, membership_class=line.resolved_class, by=by)
    for circle in line.resolved_circles:
        roster_add(circle=circle, member=line.member, by=by)
    line.status = "added"


def member_add_directly(
    *, organisation: Organisation, by: Member, email: str, membership_class: MembershipClass, circles=()
) -> Member:
    """An admin adds someone who already has an account (by their login or a verified address),
    without an invitation, onto the circles named."""
    if not by.is_admin:
        raise NotAllowed(_("Only an admin adds people directly; a steward invites them."))
    email = (email or "").strip().lower()
    user = User.objects.filter(
        Q(email__iexact=email) | Q(emailaddress__email__iexact=email, emailaddress__verified=True)
    )
    user = user.filter(is_active=True).distinct().first()
    if user is None:
        raise Invalid(_("Nobody has an account with %(email)s; invite them instead.") % {"email": email}, field="email")
    member = member_add(organisation=organisation, user=user, membership_class=membership_class, by=by)
    for circle in circles:
        roster_add(circle=circle, member=member, by=by)
    return member


def invitation_more_circles_join(invitation: Invitation, member: Member) -> None:
    """An invitation naming several circles was accepted: the newcomer joins the others too (the
    core's `invitation_accepted` hook; circles' own receiver puts them on `invitation.circle`)."""
    for circle in invitation.more_circles.all():
        if circle.is_archived or CircleMembership.objects.current().filter(circle=circle, member=member).exists():
            continue
        roster_add(circle=circle, member=member, by=invitation.invited_by)


__all__ = [
    "Line",
    "lines_from_text",
    "may_onboard",
    "member_add_directly",
    "onboarding_check",
    "onboarding_send",
]

"""Seed a large cooperative fast, for benchmarks and load tests.

Rows are written in bulk (PostgreSQL's COPY where available, bulk_create elsewhere), bypassing the
services on purpose: a benchmark needs half a million positions in seconds, not the event log and
outbox rows that a real history would have. What is written is still consistent: every current
position belongs to an eligible voter of its proposal, tallies equal a recount, and each closed
proposal has the outcome its tally gives.
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from djmoney.money import Money

from circles.models import Circle, CircleMembership
from governance.models import Member, MembershipClass, Organisation, User
from money.models import Budget, Category, Commitment, Entry, Fund, Spending
from proposals.models import Comment, EligibleVoter, Position, Proposal, ProposalVersion
from proposals.services import outcome_of
from roles.models import Role, RoleAssignment

BENCH_PASSWORD = "bench-password"  # noqa: S105 -- every seeded member's password, for load generators


@dataclass
class Size:
    members: int = 2000
    circles: int = 60
    roles: int = 600
    proposals: int = 5000
    open_proposals: int = 500
    positions: int = 500_000
    big_proposal_positions: int = 100_000
    comments: int = 20_000
    ledger_entries: int = 100_000

    def scaled(self, factor: float) -> Size:
        size = Size(**{k: max(1, int(v * factor)) for k, v in self.__dict__.items()})
        # A tree needs a sub-circle, and a sub-circle a few people.
        size.circles, size.members = max(2, size.circles), max(10, size.members)
        return size


def copy_rows(model, fields: list[str], rows) -> int:
    """Insert many rows: COPY on PostgreSQL, bulk_create elsewhere. Rows are tuples in `fields` order."""
    rows = list(rows)
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        # Django keeps field defaults in Python, not in the table: a field added since this seeder
        # was written (not in `fields`) gets its default here ("" for text), as bulk_create would.
        defaults = [
            f
            for f in model._meta.concrete_fields
            if not f.primary_key
            and f.name not in fields
            and f.attname not in fields
            and (f.has_default() or not f.null)
        ]
        fields = [*fields, *(f.name for f in defaults)]
        extra = tuple(f.get_default() for f in defaults)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow(["\\N" if v is None else _csv_value(v) for v in (*row, *extra)])
        buffer.seek(0)
        columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN "
                "WITH (FORMAT csv, NULL '\\N')",
                buffer,
            )
    else:
        attnames = [model._meta.get_field(f).attname for f in fields]
        model.objects.bulk_create([model(**dict(zip(attnames, row, strict=True))) for row in rows], batch_size=2000)
    return len(rows)


def _csv_value(value):
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, timedelta):
        return f"{value.total_seconds()} seconds"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def _ids(model, **filters) -> list[int]:
    return list(model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def seed_cooperative(*, slug: str = "bench", size: Size | None = None, seed: int = 7, password: str = BENCH_PASSWORD):
    """Create one large organisation. Returns it. Raises if the slug exists (seed a fresh database)."""
    size = size or Size()
    rng = random.Random(seed)
    now = timezone.now()
    organisation = Organisation.objects.create(
        name=f"Bench Co-operative ({slug})", slug=slug, time_zone="Europe/Berlin"
    )
    workers = MembershipClass.objects.create(organisation=organisation, name="Worker members", voting_weight=2)
    users_class = MembershipClass.objects.create(organisation=organisation, name="User members", voting_weight=1)

    hashed = make_password(password)
    copy_rows(
        User,
        ["email", "name", "password", "is_staff", "is_superuser", "is_active", "date_joined"],
        ((f"m{i}@{slug}.bench", f"Member {i}", hashed, False, False, True, now) for i in range(size.members)),
    )
    user_ids = _ids(User, email__endswith=f"@{slug}.bench")
    copy_rows(
        Member,
        ["organisation", "user", "membership_class", "is_admin", "status", "joined_at", "left_reason"],
        (
            (organisation.pk, uid, workers.pk if i % 3 == 0 else users_class.pk, i == 0, "active", now, "")
            for i, uid in enumerate(user_ids)
        ),
    )
    members = list(
        Member.objects.filter(organisation=organisation).order_by("pk").values_list("pk", "membership_class")
    )
    member_ids = [m for m, _ in members]
    weight = {m: (2 if c == workers.pk else 1) for m, c in members}

    general = Circle.objects.create(organisation=organisation, name="General circle", slug="general", is_general=True)
    parents = [general]
    for i in range(size.circles - 1):
        parent = parents[0] if i < 6 else rng.choice(parents[1:7])
        circle = Circle.objects.create(
            organisation=organisation,
            parent=parent,
            name=f"Circle {i + 1}",
            slug=f"circle-{i + 1}",
            purpose=f"Circle {i + 1} looks after area {i + 1}.",
        )
        parents.append(circle)
    circles = parents
    sub_circles = circles[1:]

    roster: dict[int, list[int]] = {}
    rows = []
    for circle in sub_circles:
        chosen = rng.sample(member_ids, k=min(len(member_ids), max(4, 3 * size.members // len(sub_circles))))
        roster[circle.pk] = chosen
        rows.extend((circle.pk, m, now, "") for m in chosen)
    roster[general.pk] = member_ids
    copy_rows(CircleMembership, ["circle", "member", "joined_at", "removal_reason"], rows)

    kinds = ["steward", "facilitator", "secretary", "delegate"]
    role_rows = []
    per_circle = max(1, size.roles // len(circles))
    for circle in circles:
        for n in range(per_circle):
            kind = kinds[n] if n < len(kinds) else "custom"
            role_rows.append((circle.pk, kind, kind.title() if kind != "custom" else f"Role {n}", "", 1, now))
    copy_rows(Role, ["circle", "kind", "name", "purpose", "seats", "created_at"], role_rows)
    copy_rows(
        RoleAssignment,
        ["role", "member", "started_at", "planned_end_at", "end_reason", "seat"],
        (
            (
                role_id,
                rng.choice(roster[circle_id]),
                now - timedelta(days=rng.randint(1, 300)),
                now + timedelta(days=rng.randint(5, 200)),
                "",
                1,  # one term per one-seat role
            )
            for role_id, circle_id in Role.objects.filter(circle__organisation=organisation).values_list(
                "pk", "circle_id"
            )
        ),
    )

    _seed_proposals(organisation, size, rng, now, circles, roster, weight)
    _seed_money(organisation, size, rng, now, circles, roster)
    return organisation


MONEY_CATEGORIES = ["Hosting", "Events", "Design", "Legal", "Stipends", "Tasks", "Travel", "Hardware"]


def _seed_money(organisation, size: Size, rng, now, circles, roster) -> None:
    """A fund, a budget per circle (up to 20), spending proposals each committed and paid (in full or
    in part): `size.ledger_entries` entries in all, with every kept balance equal to its entries' sum."""
    fund = Fund.objects.create(organisation=organisation, name="Collective fund", balance=Money(0, "EUR"))
    categories = [Category.objects.create(organisation=organisation, name=n).pk for n in MONEY_CATEGORIES]
    today = timezone.localdate()
    budgets = [
        Budget.objects.create(
            organisation=organisation,
            fund=fund,
            circle=circle,
            name="This year",
            available=Money(0, "EUR"),
            period_start=today - timedelta(days=200),
            period_end=today + timedelta(days=165),
        )
        for circle in circles[:20]
    ]
    n = max(1, (size.ledger_entries - 1 - len(budgets)) // 2)
    plan = []  # (budget, amount, paid, created_at)
    for i in range(n):
        amount = Decimal(rng.randint(100, 50_000)) / 100
        plan.append(
            (
                budgets[i % len(budgets)],
                amount,
                amount if rng.random() < 0.7 else (amount / 2).quantize(Decimal("0.01")),
                now - timedelta(days=rng.randint(0, 360)),
            )
        )
    author = roster[circles[0].pk][0]
    copy_rows(
        Spending,
        [
            "organisation",
            "budget",
            "kind",
            "title",
            "amount",
            "amount_currency",
            "category",
            "payee_name",
            "purpose",
            "installments",
            "interval_months",
            "deciding_circle",
            "escalated",
            "state",
            "created_by",
            "created_at",
        ],
        (
            (
                organisation.pk,
                b.pk,
                "spending",
                f"Spending {i}",
                a,
                "EUR",
                categories[i % len(categories)],
                "Supplier",
                "Seeded.",
                1,
                1,
                b.circle_id,
                False,
                "paid" if p == a else "committed",
                author,
                t,
            )
            for i, (b, a, p, t) in enumerate(plan)
        ),
    )
    spending_ids = _ids(Spending, organisation=organisation)
    copy_rows(
        Commitment,
        [
            "organisation",
            "budget",
            "spending",
            "amount",
            "amount_currency",
            "outstanding",
            "outstanding_currency",
            "state",
            "created_at",
        ],
        (
            (organisation.pk, b.pk, s, a, "EUR", a - p, "EUR", "settled" if p == a else "open", t)
            for s, (b, a, p, t) in zip(spending_ids, plan, strict=True)
        ),
    )
    commitment_ids = _ids(Commitment, organisation=organisation)
    given = {b.pk: Decimal(0) for b in budgets}
    for b, a, _p, _t in plan:
        given[b.pk] += a
    income = sum(given.values()) + Decimal(1000)
    columns = [
        "organisation",
        "fund",
        "budget",
        "commitment",
        "kind",
        "moves",
        "amount",
        "amount_currency",
        "fund_delta",
        "budget_delta",
        "commitment_delta",
        "reason",
        "reference",
        "created_at",
    ]
    start = now - timedelta(days=365)
    rows = [(organisation.pk, fund.pk, None, None, "income", "income", income, "EUR", income, 0, 0, "", "Seed", start)]
    rows += [
        (organisation.pk, fund.pk, b, None, "allocation", "allocation", g, "EUR", -g, g, 0, "", "", start)
        for b, g in given.items()
        if g > 0
    ]
    for c, (b, a, p, t) in zip(commitment_ids, plan, strict=True):
        rows.append((organisation.pk, fund.pk, b.pk, c, "commitment", "commitment", a, "EUR", 0, -a, a, "", "", t))
        rows.append((organisation.pk, fund.pk, b.pk, c, "payment", "payment", p, "EUR", 0, 0, -p, "", "R", t))
    copy_rows(Entry, columns, rows)
    Fund.objects.filter(pk=fund.pk).update(balance=Decimal(1000))


def _seed_proposals(organisation, size: Size, rng, now, circles, roster, weight):
    general = circles[0]
    authors = {c.pk: roster[c.pk] for c in circles}
    specs = []  # (circle, state, opened_at, closes_at)
    for i in range(size.proposals):
        circle = general if i == 0 else rng.choice(circles[1:])
        is_open = i < size.open_proposals
        opened = now - timedelta(days=rng.randint(1, 5) if is_open else rng.randint(10, 700))
        closes = opened + timedelta(days=7)
        if is_open and closes <= now:
            closes = now + timedelta(days=rng.randint(1, 6))
        specs.append((circle, "open" if is_open else "closed", opened, closes))

    copy_rows(
        Proposal,
        [
            "organisation",
            "circle",
            "author",
            "title",
            "body",
            "method",
            "threshold",
            "anonymous",
            "early_close",
            "state",
            "version",
            "round_length",
            "created_at",
            "opened_at",
            "closes_at",
            "closed_at",
            "tally",
            "eligible_count",
            "eligible_weight",
            "outcome",
            "outcome_statement",
        ],
        (
            (
                organisation.pk,
                c.pk,
                rng.choice(authors[c.pk]),
                f"Proposal {i}: adopt practice {i}",
                f"We propose practice {i}.\n\n" + "It helps us because it is useful. " * 20,
                "consent",
                "simple",
                False,
                False,
                "open",
                1,
                timedelta(days=7),
                opened - timedelta(days=1),
                opened,
                closes,
                None,
                {},
                0,
                0,
                "",
                "",
            )
            for i, (c, _state, opened, closes) in enumerate(specs)
        ),
    )
    proposals = list(Proposal.objects.filter(organisation=organisation).order_by("pk"))
    # Rows went in open (a closed row needs its outcome, which needs the tally); close them below.
    closing = {p.pk for p, (_, state, _, _) in zip(proposals, specs, strict=True) if state == "closed"}
    copy_rows(
        ProposalVersion,
        ["proposal", "number", "title", "body", "change_note", "author", "created_at"],
        ((p.pk, 1, p.title, p.body, "", p.author_id, p.created_at) for p in proposals),
    )

    big = proposals[0]
    others = proposals[1:]
    per_proposal = max(1, (size.positions - size.big_proposal_positions) // max(1, len(others)))
    voters, positions = [], []
    kinds = ["consent"] * 14 + ["concern", "abstain", "objection"]
    for p in proposals:
        eligible = roster[p.circle_id]
        for m in eligible:
            voters.append((p.pk, m, weight[m]))
        p.eligible_count, p.eligible_weight = len(eligible), sum(weight[m] for m in eligible)
        tally: dict[str, list[int]] = {}
        if p is big:
            rounds = max(1, size.big_proposal_positions // len(eligible))
            responders = eligible
        else:
            rounds = 1
            responders = rng.sample(eligible, k=min(len(eligible), per_proposal))
        for m in responders:
            for r in range(rounds):
                current = r == rounds - 1
                kind = rng.choice(kinds)
                if kind in ("concern", "objection") and p.pk in closing and rng.random() < 0.9:
                    kind = "consent"
                at = p.opened_at + timedelta(minutes=r + 1)
                positions.append(
                    (
                        p.pk,
                        m,
                        1,
                        kind,
                        "A reason." if kind in ("concern", "objection") else "",
                        weight[m],
                        at,
                        current,
                        None if current else at + timedelta(seconds=30),
                        "" if current else "changed",
                    )
                )
                if current:
                    heads, w = tally.get(kind, [0, 0])
                    tally[kind] = [heads + 1, w + weight[m]]
        p.tally = tally
        if p.pk in closing:
            p.state, p.closed_at = Proposal.State.CLOSED, p.closes_at
            p.outcome = outcome_of(p)
            p.outcome_statement = "Decided as proposed." if p.outcome == "passed" else "Not agreed this time."
    copy_rows(EligibleVoter, ["proposal", "member", "weight"], voters)
    copy_rows(
        Position,
        [
            "proposal",
            "member",
            "version",
            "kind",
            "reason",
            "weight",
            "created_at",
            "is_current",
            "retired_at",
            "retired_because",
        ],
        positions,
    )
    Proposal.objects.bulk_update(
        proposals,
        ["state", "closed_at", "tally", "eligible_count", "eligible_weight", "outcome", "outcome_statement"],
        batch_size=1000,
    )
    copy_rows(
        Comment,
        ["proposal", "author", "body", "is_question", "created_at"],
        (
            (
                p.pk,
                rng.choice(roster[p.circle_id]),
                f"Comment {n} on this proposal. " * 3,
                n % 5 == 0,
                p.opened_at + timedelta(hours=n),
            )
            for n, p in ((n, proposals[n % len(proposals)] if n >= 200 else big) for n in range(size.comments))
        ),
    )

"""/api/v1/: one router for every app's resources, plus the token exchange."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from circles.api import CircleMembershipViewSet
from circles.policy_api import PolicySectionViewSet
from elections.api import BallotViewSet, CandidacyViewSet, ElectionViewSet, NominationViewSet
from governance.api import views
from meetings.api import (
    ActionItemViewSet,
    AgendaItemViewSet,
    AttendanceViewSet,
    CalendarFeedViewSet,
    MeetingSeriesViewSet,
    MeetingViewSet,
    MinutesViewSet,
    TensionViewSet,
)
from money.api import (
    AllocationViewSet,
    BucketViewSet,
    BudgetViewSet,
    CategoryViewSet,
    ClaimViewSet,
    CommitmentViewSet,
    EntryViewSet,
    FundViewSet,
    ReportViewSet,
    RoundViewSet,
    SpendingViewSet,
)
from polls.api import PollViewSet
from proposals.api import ProposalViewSet, ProxyViewSet
from proposals.change_api import EnactedChangeViewSet
from record.api import (
    ElectionHistoryViewSet,
    HealthViewSet,
    OpenDecisionViewSet,
    OpenLogViewSet,
    OpenMinutesViewSet,
    OpenRoleViewSet,
    ParticipationViewSet,
    SearchViewSet,
    TermSummaryViewSet,
)
from roles.api import CircleViewSet, RoleAssignmentViewSet, RoleViewSet

from .api import MemberViewSet
from .api_index import ApiIndexView
from .onboarding_api import InvitationViewSet, OrganisationViewSet

router = SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("membership-classes", views.MembershipClassViewSet, basename="membership-class")
router.register("members", MemberViewSet, basename="member")
router.register("circles", CircleViewSet, basename="circle")
router.register("circle-memberships", CircleMembershipViewSet, basename="circle-membership")
router.register("policy-sections", PolicySectionViewSet, basename="policy-section")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("events", views.EventViewSet, basename="event")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("proxies", ProxyViewSet, basename="proxy")
router.register("changes", EnactedChangeViewSet, basename="change")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("meeting-series", MeetingSeriesViewSet, basename="meeting-series")
router.register("agenda-items", AgendaItemViewSet, basename="agenda-item")
router.register("attendance", AttendanceViewSet, basename="attendance")
router.register("minutes", MinutesViewSet, basename="minutes")
router.register("tensions", TensionViewSet, basename="tension")
router.register("action-items", ActionItemViewSet, basename="action-item")
router.register("calendar-feeds", CalendarFeedViewSet, basename="calendar-feed")
router.register("roles", RoleViewSet, basename="role")
router.register("role-assignments", RoleAssignmentViewSet, basename="role-assignment")
router.register("elections", ElectionViewSet, basename="election")
router.register("nominations", NominationViewSet, basename="nomination")
router.register("candidacies", CandidacyViewSet, basename="candidacy")
router.register("ballots", BallotViewSet, basename="ballot")
router.register("polls", PollViewSet, basename="poll")
router.register("health", HealthViewSet, basename="health")
router.register("participation", ParticipationViewSet, basename="participation")
router.register("election-history", ElectionHistoryViewSet, basename="election-history")
router.register("search", SearchViewSet, basename="search")
router.register("term-summaries", TermSummaryViewSet, basename="term-summary")
router.register(r"open/(?P<org>[-\w]+)/decisions", OpenDecisionViewSet, basename="open-decision")
router.register(r"open/(?P<org>[-\w]+)/log", OpenLogViewSet, basename="open-event")
router.register(r"open/(?P<org>[-\w]+)/minutes", OpenMinutesViewSet, basename="open-minutes")
router.register(r"open/(?P<org>[-\w]+)/roles", OpenRoleViewSet, basename="open-role")
router.register("funds", FundViewSet, basename="fund")
router.register("ledger-entries", EntryViewSet, basename="ledger-entry")
router.register("budgets", BudgetViewSet, basename="budget")
router.register("spending-categories", CategoryViewSet, basename="spending-category")
router.register("spending-proposals", SpendingViewSet, basename="spending-proposal")
router.register("claims", ClaimViewSet, basename="claim")
router.register("commitments", CommitmentViewSet, basename="commitment")
router.register("rounds", RoundViewSet, basename="round")
router.register("buckets", BucketViewSet, basename="bucket")
router.register("allocations", AllocationViewSet, basename="allocation")
router.register("money-reports", ReportViewSet, basename="money-report")
router.register("auth/tokens", views.ApiTokenViewSet, basename="api-token")
router.register("integration-tokens", views.IntegrationTokenViewSet, basename="integration-token")
router.register("webhooks", views.WebhookViewSet, basename="webhook")
router.register("webhook-deliveries", views.WebhookDeliveryViewSet, basename="webhook-delivery")

urlpatterns = [
    path("", ApiIndexView.as_view(router=router), name="api-index"),
    path("auth/token/", views.TokenCreateView.as_view(), name="api-token-create"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("me/inbox/", views.InboxView.as_view(), name="api-inbox"),
    path(
        "me/notification-preferences/",
        views.NotificationPreferencesView.as_view(),
        name="api-notification-preferences",
    ),
    *router.urls,
]

"""Every write to organisations, members, invitations, tokens, the event log and the outbox.

Each function is atomic, takes keyword arguments, raises a DomainError with a clear message when a
rule refuses, records an event, and queues side effects (emails, webhooks) only after the
transaction commits. One module per part; their public names are all importable from here.
"""

from .events import changes_apply, event_new, event_record, events_record, plain, site_admin_acting
from .invitations import (
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_is_for,
    invitation_resend,
    invitation_revoke,
)
from .members import (
    LEFT_PREFIX,
    REASON_MAX,
    clean_reason,
    member_add,
    member_remove,
    member_update,
    user_create,
    user_update,
)
from .organisations import (
    ORGANISATION_SETTINGS,
    local_time,
    membership_class_save,
    organisation_create,
    organisation_update,
    slug_problem,
    unique_slug,
)
from .outbox import (
    RETRY_BACKOFF,
    Message,
    notification_send,
    notifications_flush,
    notifications_queue,
    notifications_queue_many,
)
from .preferences import notification_preference_set
from .provenance import provenance_latest, provenance_record
from .tokens import (
    CALLERS_EXPIRY,
    INTEGRATIONS_CLASS,
    TOKEN_NAME_MAX,
    api_token_create,
    api_token_revoke,
    integration_token_create,
)

__all__ = [
    "CALLERS_EXPIRY",
    "INTEGRATIONS_CLASS",
    "LEFT_PREFIX",
    "ORGANISATION_SETTINGS",
    "REASON_MAX",
    "RETRY_BACKOFF",
    "TOKEN_NAME_MAX",
    "Message",
    "api_token_create",
    "api_token_revoke",
    "changes_apply",
    "clean_reason",
    "event_new",
    "event_record",
    "events_record",
    "integration_token_create",
    "invitation_accept",
    "invitation_create",
    "invitation_for_token",
    "invitation_is_for",
    "invitation_resend",
    "invitation_revoke",
    "local_time",
    "member_add",
    "member_remove",
    "member_update",
    "membership_class_save",
    "notification_preference_set",
    "notification_send",
    "notifications_flush",
    "notifications_queue",
    "notifications_queue_many",
    "organisation_create",
    "organisation_update",
    "plain",
    "provenance_latest",
    "provenance_record",
    "site_admin_acting",
    "slug_problem",
    "unique_slug",
    "user_create",
    "user_update",
]

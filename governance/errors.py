"""Domain errors raised by services. Views show their message next to the form; the API maps them
to status codes (400 invalid, 403 not allowed, 409 the object's state refuses)."""


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(DomainError):
    status_code = 400


class NotAllowed(DomainError):
    status_code = 403


class Conflict(DomainError):
    """The action is valid in general but the object's current state refuses it."""

    status_code = 409

"""Explicit, typed hooks through which a lower app lets higher ones take part, without importing them.

The order of layers (docs/architecture.md) means that the core never names circles, circles never
names roles, proposals never name elections. Where a lower app must let a higher one react (a consent
round closed: an election seats its candidate; a circle founded: it gets its core roles) or answer (who
stewards which circles), it owns a `Hook`; the higher app registers its function in its
`AppConfig.ready()`. The lower app calls the hook inside its own transaction, so what the higher app
does commits or rolls back with it.

Unlike Django signals, a hook is one greppable name with one signature, its receivers run in the
order the apps are installed, an exception is never swallowed, and a test can list who is listening.

`Registry` is the same idea for kinds keyed by name (the event types each app records; the kinds of
change a proposal may carry): each app registers the kinds it owns, and a key is registered once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, ParamSpec, TypeVar

from django.core.exceptions import ImproperlyConfigured

P = ParamSpec("P")
R = TypeVar("R")
V = TypeVar("V")


class Hook(Generic[P, R]):
    """A named list of functions with one signature: `hook(...)` calls each in turn, `hook.collect(...)`
    returns what each returned."""

    def __init__(self, name: str, doc: str = ""):
        self.name = name
        self.__doc__ = doc or name
        self._receivers: list[Callable[P, R]] = []

    def register(self, receiver: Callable[P, R]) -> Callable[P, R]:
        """Add a receiver (once: registering it again, as a reloaded `ready()` may, changes nothing).
        Returns it, so that it can be used as a decorator."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    @property
    def receivers(self) -> tuple[Callable[P, R], ...]:
        return tuple(self._receivers)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> None:
        for receiver in self._receivers:
            receiver(*args, **kwargs)

    def collect(self, *args: P.args, **kwargs: P.kwargs) -> list[R]:
        return [receiver(*args, **kwargs) for receiver in self._receivers]

    def __repr__(self):
        return f"<Hook {self.name}: {len(self._receivers)} receiver(s)>"


class Registry(Generic[V]):
    """Kinds by key, each registered by the app that owns it."""

    def __init__(self, name: str):
        self.name = name
        self._items: dict[str, V] = {}

    def register(self, key: str, value: V) -> V:
        existing = self._items.get(key)
        if existing is not None and existing != value:
            raise ImproperlyConfigured(f"{self.name}: {key!r} is registered twice.")
        self._items[key] = value
        return value

    def get(self, key: str, default: V | None = None) -> V | None:
        return self._items.get(key, default)

    def __getitem__(self, key: str) -> V:
        try:
            return self._items[key]
        except KeyError:
            raise KeyError(f"{self.name}: nothing is registered as {key!r}.") from None

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def items(self):
        return self._items.items()

    def values(self):
        return self._items.values()

    def __repr__(self):
        return f"<Registry {self.name}: {len(self._items)} kind(s)>"

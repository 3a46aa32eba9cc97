"""What a user action changed, as a typed set (issue #12, modelled on Anki's OpChanges and
calibre's typed database events).

An operation started from the window (`gui/ops.py`) declares the `Changes` it makes, or a
service returns them; the window publishes them (`gui/context.py: AppContext.publish`) and each
page reloads only when the change touches what it shows (`Page.depends_on`).

    Changes.of(Change.COUNCIL, Change.CANDIDATES)
    changes.touches({Change.PEOPLE, Change.UNITS})   # -> bool

Plain Python, no Qt: the services and the CLI may use it too.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Change(enum.Enum):
    """One kind of stored data (or the as-of date) that a screen may show."""

    PEOPLE = "people"          # people, their VNeID skills and mentoring
    UNITS = "units"            # the unit tree, unit records
    ACTIVITIES = "activities"  # activities and their participants
    MODELS = "models"          # digital models, replications, solutions, mentorships, figures
    SCORES = "scores"          # recorded manual criterion results
    CRITERIA = "criteria"      # the criteria sets
    CANDIDATES = "candidates"  # award candidates (proposals and their status)
    COUNCIL = "council"        # council members, rules, meetings, attendance, votes, decisions
    DOSSIER = "dossier"        # dossier settings, narratives, signers, generated dossiers
    AWARDS = "awards"          # the award register
    SETTINGS = "settings"      # office settings (form set, certificate layout, ...)
    CAMPAIGN = "campaign"      # the campaign itself: its phases and dates
    PLAN = "plan"              # the plan's tasks and targets
    USERS = "users"            # accounts and roles
    AS_OF = "as_of"            # the date the screens are looking at (not stored data)


#: The string keys of the older `ctx.notify("...")` calls, for code that still passes them.
_LEGACY = {
    "people": {Change.PEOPLE}, "units": {Change.UNITS}, "activities": {Change.ACTIVITIES},
    "models": {Change.MODELS}, "solutions": {Change.MODELS}, "figures": {Change.MODELS},
    "mentorships": {Change.MODELS}, "scores": {Change.SCORES}, "criteria": {Change.CRITERIA},
    "candidates": {Change.CANDIDATES}, "council": {Change.COUNCIL}, "dossier": {Change.DOSSIER},
    "awards": {Change.AWARDS}, "settings": {Change.SETTINGS}, "campaign": {Change.CAMPAIGN},
    "phases": {Change.CAMPAIGN, Change.PLAN}, "tasks": {Change.PLAN}, "plan": {Change.PLAN},
    "users": {Change.USERS}, "as_of": {Change.AS_OF},
}


class Changes(frozenset):
    """A set of `Change`s (an immutable frozenset); empty means nothing stored changed (a read).
    It also equals a legacy key that means the same ("*" is everything). A frozenset rather than
    a dataclass: this module is on the start-up path, and `dataclasses` costs ~10 ms to import."""

    __slots__ = ()

    @classmethod
    def of(cls, *kinds: Change) -> Changes:
        return cls(kinds)

    @classmethod
    def everything(cls) -> Changes:
        """After a restore, an import of a whole workbook, a new demo ward: every screen reloads."""
        return cls(Change)

    @classmethod
    def parse(cls, what: str | Change | Changes | Iterable[Change]) -> Changes:
        """Changes from a legacy key ("people", "*"), one Change, or several."""
        if isinstance(what, Changes):
            return what
        if isinstance(what, Change):
            return cls.of(what)
        if isinstance(what, str):
            if what == "*":
                return cls.everything()
            try:
                return cls(_LEGACY[what])
            except KeyError:
                raise ValueError(f"unknown change key {what!r}") from None
        return cls(what)

    @property
    def kinds(self) -> frozenset[Change]:
        return frozenset(self)

    def touches(self, kinds: Iterable[Change]) -> bool:
        return not self.isdisjoint(kinds)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = Changes.parse(other)
            except ValueError:
                return False
        return frozenset.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = frozenset.__hash__

    def __or__(self, other: Iterable[Change]) -> Changes:
        return Changes(frozenset.__or__(self, frozenset(other)))

    def __repr__(self) -> str:
        return "Changes(" + ", ".join(sorted(k.name for k in self)) + ")"


#: The records the campaign's status (targets, tasks) is computed from, with the date it is seen at.
STATUS_FACTS = frozenset({Change.PEOPLE, Change.UNITS, Change.ACTIVITIES, Change.MODELS, Change.CAMPAIGN,
                          Change.PLAN, Change.AS_OF})

NOTHING = Changes()
EVERYTHING = Changes.everything()

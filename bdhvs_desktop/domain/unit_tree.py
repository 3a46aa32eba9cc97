"""The one walk of the unit tree (ward → residential groups, party committee → cells ...): a
unit's chain of ancestors and the units under it, from plain {unit: parent} or {unit: children}
maps, safe against a cycle in bad data (each unit is visited once). The status and scoring
trees, the council's conflict-of-interest check, the Form 08 figures, the unit editor's
validation and its "move under" dialog all walk it here (issue #12: there were five walks)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def ancestors(parents: Mapping[int, int | None], unit_id: int | None) -> tuple[int, ...]:
    """The unit and its ancestors, nearest first; () for None or a unit not in `parents`."""
    chain: list[int] = []
    seen: set[int] = set()
    current = unit_id
    while current is not None and current in parents and current not in seen:
        chain.append(current)
        seen.add(current)
        current = parents[current]
    return tuple(chain)


def children_of(parents: Mapping[int, int | None] | Iterable[tuple[int, int | None]]) -> dict[int, list[int]]:
    """{parent: [its units, in the order given]} from {unit: parent} or (unit, parent) pairs."""
    pairs = parents.items() if isinstance(parents, Mapping) else parents
    children: dict[int, list[int]] = {}
    for uid, parent in pairs:
        if parent is not None:
            children.setdefault(parent, []).append(uid)
    return children


def descendants(children: Mapping[int, Iterable[int]], unit_id: int) -> list[int]:
    """The unit and every unit under it, the unit first (depth first, the last child first)."""
    found: list[int] = []
    seen: set[int] = set()
    stack = [unit_id]
    while stack:
        uid = stack.pop()
        if uid in seen:
            continue  # a cycle in bad data must not hang the caller
        seen.add(uid)
        found.append(uid)
        stack.extend(children.get(uid, ()))
    return found

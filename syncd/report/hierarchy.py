"""The institutions' tree, as the platform lists it: which top-level agency each
sub-unit's figures roll up to."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection, select

from syncd.store.tables import INSTITUTIONS


def institutions(connection: Connection) -> tuple[dict[str, str], dict[str, str]]:
    names: dict[str, str] = {}
    parents: dict[str, str] = {}
    i = INSTITUTIONS.c
    for upstream_id, name, parent_id in connection.execute(
        select(i.upstream_id, i.name, i.parent_id)
    ):
        names[str(upstream_id)] = name
        if parent_id is not None and parent_id != upstream_id:
            parents[str(upstream_id)] = str(parent_id)
    return names, parents


def ancestors(parents: Mapping[str, str]) -> dict[str, list[str]]:
    """Each sub-unit's ancestors, nearest first (a cycle stops where it closes)."""
    chains: dict[str, list[str]] = {}
    for unit in parents:
        chain: list[str] = []
        current = unit
        while current in parents and parents[current] not in (unit, *chain):
            current = parents[current]
            chain.append(current)
        chains[unit] = chain
    return chains


def heads(chains: Mapping[str, list[str]], wanted: str | None) -> dict[str, str]:
    """Where each sub-unit's figures roll up to: its top-level ancestor, or, for a
    report on one agency, that agency (when it is among the ancestors)."""
    if wanted is None:
        return {unit: chain[-1] for unit, chain in chains.items() if chain}
    return {unit: wanted for unit, chain in chains.items() if wanted in chain}

"""How a source finds its complaints (CONTRACT.md section 1, ``discovery``): through
the change listing, or by the ids it tracks. ``auto`` asks the gateway once: real
gateways answer the listing with 404 or 405, and that is no failure."""

from __future__ import annotations

import logging
from typing import Literal

from connectors.base import Connector
from connectors.errors import ConnectorError

log = logging.getLogger(__name__)

Mode = Literal["listing", "tracked"]


def discover(connector: Connector, configured: str, source: str) -> Mode | None:
    """The mode to read the source in; None when ``auto`` could not tell yet (the
    probe failed for another reason: ask again next time, and check tracked ids)."""
    if configured == "listing":
        return "listing"
    if configured == "tracked":
        return "tracked"
    try:
        offered = connector.probe_listing()
    except ConnectorError as exc:
        log.warning(
            "discovery: source=%s the listing probe failed (%s: %s); tracked ids are "
            "checked meanwhile, and the probe is tried again",
            source,
            exc.kind,
            exc,
        )
        return None
    mode: Mode = "listing" if offered else "tracked"
    log.info(
        "discovery: source=%s mode=%s (%s)",
        source,
        mode,
        "the gateway offers the listing" if offered else "no listing here: tracked ids only",
    )
    return mode

"""The platform's answer envelope: ``{"success": bool, "message": str, "results": {...}}``
(``success`` may be absent), and the paged ``results`` whose ``data`` is a list."""

from __future__ import annotations

from typing import Any

from connectors.errors import BadResponse

GONE = (404, 410)
"""The statuses that say a complaint is no longer there: it vanished upstream."""


def results_of(envelope: Any) -> dict[str, Any]:
    """The ``results`` of a ``{success, message, results}`` envelope."""
    if not isinstance(envelope, dict):
        raise BadResponse(f"expected a JSON object envelope, got {type(envelope).__name__}")
    if envelope.get("success") is False:
        # Its message is not quoted: gateways put the record's own text in it, and
        # this error is logged and stored.
        message = envelope.get("message")
        size = len(message) if isinstance(message, str) else 0
        raise BadResponse(f"the platform answered success=false (a message of {size} characters)")
    results = envelope.get("results")
    if not isinstance(results, dict):
        raise BadResponse("the envelope has no 'results' object")
    return results


def page_of(envelope: Any) -> dict[str, Any]:
    """The ``results`` of a paged answer, whose ``data`` must be a list."""
    results = results_of(envelope)
    if not isinstance(results.get("data"), list):
        raise BadResponse("'results.data' is not a list")
    return results

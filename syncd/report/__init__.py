"""Compliance reports: figures per agency and clock for a period, rendered as a table,
CSV, JSON, Markdown or a self-contained HTML page (``syncd report``, the monthly mail)."""

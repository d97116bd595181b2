"""Alert emails (CONTRACT.md section 7): which threshold of which clock is due
(``thresholds``), who hears of it (``routing``), the outbox written with the clock
change (``planner``), delivery (``dispatch``, ``mailers``, ``windows``), what a mail
says (``gather``, ``facts``, ``compose``, ``templates/``) and the daily ``digest``.

Reads the mirror and the clocks; knows nothing of connectors.
"""

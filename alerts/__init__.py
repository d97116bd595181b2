"""Alert delivery (output port): rules, outbox, SMTP mailer, templates, digest.

Not built yet: see the alerts issue. Knows nothing of connectors.
"""

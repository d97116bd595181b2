"""Platform adapters (input port) and the built-in simulator.

Knows nothing of syncd or alerts: it turns a platform's API into the records of
``connectors.records`` and nothing more.
"""

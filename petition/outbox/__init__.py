"""Outgoing email: the outbox table, queueing (services.py), the relay that renders and delivers
(relay.py), the wire format and SMTP errors (wire.py), and its commands. It knows no feature:
callers queue a template's name and plain values.
"""

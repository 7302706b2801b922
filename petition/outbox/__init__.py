"""Outgoing email: the outbox table, composing messages, and the relay that delivers them."""

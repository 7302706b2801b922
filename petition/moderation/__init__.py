"""Moderation: the admin dashboard, the audit log (and, later, the review queue)."""

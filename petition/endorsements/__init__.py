"""Endorsements: the record and its lifecycle, from the sign-on forms to withdrawal.

models.py (endorsement, consents, email tokens), signon.py (a submission becomes an endorsement
and its email), services.py (confirm, manage, withdraw, the approval rules), forms.py and
views.py (the public sign-on, confirm and manage pages), abuse.py (bot traps and the per-IP
limit), tokens.py, consents.py, naming.py (public names and search keys), notices.py and
updates.py (emails to endorsers about new versions and campaign news), listing.py (asking
imported endorsers to confirm), importing/ (an earlier sign-on list from CSV), commands.py.
"""

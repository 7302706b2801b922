"""Platforms: the policy documents people endorse, in both languages, with related resources.

models.py, services.py (what the public may see, sign-on windows, localized texts), views.py
(the public platform page), editing/ (the rules admins' changes follow; the admin pages are
in platforms_admin/), labels.py, demo.py (the demo platform).
"""

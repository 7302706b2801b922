"""Moderation, on the admin side: the review queue and decisions, the dashboard, the audit log
page, the import page and moderators' digest emails.

review.py (decisions), queue.py and signals.py (what the queue shows about each endorsement),
dashboard.py and charts.py (the dashboard's figures), digest.py, services.py (audit log queries),
forms.py, labels.py, navigation.py (the admin menu), views/ (one module per page).
"""

"""The admin side's moderation pages, one module per page (all on one blueprint).

common.py holds the blueprint and shared look-ups; shell.py what every admin template can use;
home.py the dashboard; review_queue.py the queue and decisions; endorsement_pages.py one
endorsement, the browse list and the export; import_page.py the CSV import; logo_review.py
logos (see, approve, remove, replace); audit_log.py the log.
"""

from . import audit_log, endorsement_pages, home, import_page, logo_review, review_queue, shell
from .common import bp

__all__ = [
    "audit_log",
    "bp",
    "endorsement_pages",
    "home",
    "import_page",
    "logo_review",
    "review_queue",
    "shell",
]

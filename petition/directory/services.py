"""Rules of the public endorser list: who is listed, search, filters, sorting, pages and counts.

Everything public reads the list through this module; the rules live beside it: queries.py
(who is listed, filters, search), counts.py (totals and facets), listing.py (pages, slices,
cursors) and entries.py (one endorser as every surface shows them).
"""

from .counts import (
    ProvinceCount,
    Totals,
    matching_count,
    province_counts,
    provinces_in_label_order,
    totals,
)
from .entries import Labels, PublicEntry, labels_for, public_entry
from .listing import (
    API_MAX_LIMIT,
    FEED_ENTRIES,
    PAGE_SIZE,
    RECENT_ORGANIZATIONS,
    BadCursor,
    Page,
    Slice,
    decode_cursor,
    encode_cursor,
    iter_listed,
    list_page,
    list_slice,
    one_snapshot,
    organizations_by_province,
    recent_organizations,
)
from .queries import (
    LISTED_MODES,
    MAX_SEARCH_WORDS,
    Filters,
    Sort,
    endorsers_published,
    search_words,
)

__all__ = [
    "API_MAX_LIMIT",
    "FEED_ENTRIES",
    "LISTED_MODES",
    "MAX_SEARCH_WORDS",
    "PAGE_SIZE",
    "RECENT_ORGANIZATIONS",
    "BadCursor",
    "Filters",
    "Labels",
    "Page",
    "ProvinceCount",
    "PublicEntry",
    "Slice",
    "Sort",
    "Totals",
    "decode_cursor",
    "encode_cursor",
    "endorsers_published",
    "iter_listed",
    "labels_for",
    "list_page",
    "list_slice",
    "matching_count",
    "one_snapshot",
    "organizations_by_province",
    "province_counts",
    "provinces_in_label_order",
    "public_entry",
    "recent_organizations",
    "search_words",
    "totals",
]

"""Translated names for platform-related values, shown in templates."""

from ..i18n import _l
from .models import PlatformStatus, ResourceKind, WallOrder

# Headings for groups of related resources.
RESOURCE_KIND_LABELS = {
    ResourceKind.JOURNAL_ARTICLE: _l("Journal articles"),
    ResourceKind.REPORT: _l("Reports"),
    ResourceKind.MEDIA: _l("Media"),
    ResourceKind.BLOG: _l("Blog posts"),
    ResourceKind.PODCAST: _l("Podcasts"),
    ResourceKind.VIDEO: _l("Videos"),
    ResourceKind.TOOL: _l("Tools"),
    ResourceKind.GUIDELINES: _l("Guidelines"),
    ResourceKind.LETTER: _l("Letters"),
    ResourceKind.STATEMENT: _l("Statements"),
    ResourceKind.OTHER: _l("Other resources"),
}

# Names of one resource of each kind, for the admin's form.
RESOURCE_KIND_NAMES = {
    ResourceKind.JOURNAL_ARTICLE: _l("Journal article"),
    ResourceKind.REPORT: _l("Report"),
    ResourceKind.MEDIA: _l("Media coverage"),
    ResourceKind.BLOG: _l("Blog post"),
    ResourceKind.PODCAST: _l("Podcast"),
    ResourceKind.VIDEO: _l("Video"),
    ResourceKind.TOOL: _l("Tool"),
    ResourceKind.GUIDELINES: _l("Guidelines"),
    ResourceKind.LETTER: _l("Letter"),
    ResourceKind.STATEMENT: _l("Statement"),
    ResourceKind.OTHER: _l("Other"),
}

WALL_ORDER_LABELS = {
    WallOrder.BY_AND_FOR_FIRST: _l(
        "Groups run by and for people who use drugs first, then founding organizations"
    ),
    WallOrder.FOUNDING_FIRST: _l(
        "Founding organizations first, then groups run by and for people who use drugs"
    ),
    WallOrder.ALPHABETICAL: _l("Every organization in name order"),
}

PLATFORM_STATUS_LABELS = {
    PlatformStatus.DRAFT: _l("Draft"),
    PlatformStatus.PUBLISHED: _l("Published"),
    PlatformStatus.CLOSED: _l("Closed"),
}

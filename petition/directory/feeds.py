"""XML for machines: the Atom feed of newly approved organizations, and the sitemap."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from flask import current_app

from ..endorsements.models import Endorsement
from ..i18n import HTML_LANG, LANGUAGES, _, quoted, site_name
from ..platforms.models import Platform
from ..platforms.services import localized
from ..urls import external_url
from . import services

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
# Names are written as they appear in the file (prefixes and xmlns attributes included):
# ElementTree's namespace handling cannot give a default namespace and plain attributes.
XML_LANG = "xml:lang"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def entry_id(platform: Platform, endorsement: Endorsement) -> str:
    """Return a permanent id for a feed entry that does not reveal the row's database id."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"feed-entry:{endorsement.id}".encode(), hashlib.sha256).hexdigest()
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return f"tag:{host},{platform.created_at.year}:{platform.slug}/endorser/{digest[:24]}"


def _stamp(moment) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def atom_feed(platform: Platform, lang: str) -> bytes:
    """Return the Atom feed of the organizations most recently approved, in `lang`."""
    published = services.endorsers_published(platform)
    recent = services.recent_organizations(platform, services.FEED_ENTRIES) if published else []
    title = localized(platform, "title", lang).value
    self_url = external_url("directory.feed", slug=platform.slug, lang=lang)
    list_url = external_url("directory.endorsers", slug=platform.slug, lang=lang, sort="date")

    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: HTML_LANG[lang]})
    _sub(feed, "id", self_url)
    _sub(feed, "title", _("Organizations endorsing %(title)s", title=quoted(title)))
    _sub(
        feed,
        "subtitle",
        _("Each organization appears here once its endorsement has been reviewed."),
    )
    updated = max([platform.updated_at, *(e.approved_at for e in recent if e.approved_at)])
    _sub(feed, "updated", _stamp(updated))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=list_url)
    author = _sub(feed, "author")
    _sub(author, "name", site_name())
    labels = services.labels_for(lang)
    for endorsement in recent:
        entry = services.public_entry(endorsement, lang, labels)
        item = _sub(feed, "entry")
        _sub(item, "id", entry_id(platform, endorsement))
        _sub(item, "title", entry.name)
        _sub(item, "updated", _stamp(endorsement.approved_at))
        _sub(item, "published", _stamp(endorsement.approved_at))
        href = external_url("directory.endorsers", slug=platform.slug, lang=lang, q=entry.name)
        _sub(item, "link", rel="alternate", type="text/html", href=href)
        place = ", ".join(part for part in (entry.city, entry.province_label) if part)
        summary = " · ".join(part for part in (entry.org_type_label, place) if part)
        if entry.by_and_for:
            summary += " · " + _("Run by and for people who use drugs")
        _sub(item, "summary", summary)
        if entry.about and entry.about_lang:
            # A description only in the other language says so, for readers and screen readers.
            attrs = {XML_LANG: HTML_LANG[entry.about_lang]} if entry.about_lang != lang else {}
            _sub(item, "content", entry.about, type="text", **attrs)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def sitemap(platforms: list[Platform]) -> bytes:
    """Return a sitemap of the public pages, each with its twin in the other language."""
    pages: list[tuple[str, dict, str | None]] = [("platforms.home", {}, None)]
    for platform in platforms:
        modified = platform.updated_at.date().isoformat()
        pages.append(("platforms.show", {"slug": platform.slug}, modified))
        # Before launch the list page only says when it will be published: leave it out.
        if services.endorsers_published(platform):
            pages.append(("directory.endorsers", {"slug": platform.slug}, None))
    urlset = ET.Element("urlset", {"xmlns": SITEMAP, "xmlns:xhtml": XHTML})
    for endpoint, values, modified in pages:
        twins = {lang: external_url(endpoint, lang=lang, **values) for lang in LANGUAGES}
        for lang in LANGUAGES:
            url = _sub(urlset, "url")
            _sub(url, "loc", twins[lang])
            if modified:
                _sub(url, "lastmod", modified)
            for other in LANGUAGES:
                _sub(
                    url,
                    "xhtml:link",
                    rel="alternate",
                    hreflang=HTML_LANG[other],
                    href=twins[other],
                )
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True)

"""Public endorser list pages: the list, its downloads, the printable list, feed, embed, sitemap.

Every page here is public and cacheable: none reads or writes the session, so none sends a
cookie, and a CDN may keep them for PUBLIC_CACHE_SECONDS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import force_locale
from markupsafe import escape

from ..db_types import utcnow
from ..http_cache import public_cache
from ..i18n import LANGUAGES, _, quoted
from ..logos.storage import DIGEST, store
from ..platforms import services as platforms
from ..platforms.models import Platform
from ..platforms.services import localized
from ..security import frameable, whole_number
from . import exports, feeds, services, share_cards
from . import wall as wall_rules
from .forms import FilterForm

bp = Blueprint("directory", __name__)


@dataclass
class EndorserSummary:
    """What the platform page shows about its endorsers."""

    published: bool
    publishes_at: datetime | None
    totals: services.Totals
    recent: list


def endorser_summary(platform: Platform) -> EndorserSummary:
    """Return the counts and latest organizations for a platform page (nothing before launch)."""
    if not services.endorsers_published(platform):
        return EndorserSummary(False, platform.launch_at, services.Totals(), [])
    return EndorserSummary(
        True, None, services.totals(platform), services.recent_organizations(platform)
    )


def logo_wall(platform: Platform, limit: int | None = wall_rules.WALL_SIZE):
    """Return the platform's logo wall in the page's language (nothing before launch).

    Read once per request: the page's share card (in its head) shows the wall's first logos.
    """
    if not services.endorsers_published(platform):
        return wall_rules.Wall(groups=[], shown=0, total=0)
    walls = g.setdefault("logo_walls", {})
    key = (platform.id, g.lang, limit)
    if key not in walls:
        walls[key] = wall_rules.wall(platform, g.lang, limit)
    return walls[key]


def share_card_url(platform: Platform, lang: str, wall: wall_rules.Wall | None = None) -> str:
    """Return the URL of the platform's share card in `lang`.

    `wall`: the page's own wall (in `lang`), when the page shows one: the card shows its first
    logos, so they are read once.
    """
    return share_cards.card_url(platform, lang, wall=wall if lang == g.lang else None)


@bp.app_context_processor
def directory_helpers():
    return {
        "endorser_summary": endorser_summary,
        "logo_wall": logo_wall,
        "share_card_url": share_card_url,
    }


# A logo's URL names its content (SHA-256): the file behind it never changes.
LOGO_CACHE_SECONDS = 365 * 24 * 3600


@bp.get("/media/logos/<digest>.png")
def logo_file(digest: str):
    # Only logos on a public wall: one waiting for review is a 404, like one that never was.
    if not DIGEST.match(digest) or not wall_rules.is_public_logo(digest):
        abort(404)
    data = store().get(digest)
    if data is None:
        abort(404)
    response = Response(data, mimetype="image/png")
    response.headers["Cache-Control"] = f"public, max-age={LOGO_CACHE_SECONDS}, immutable"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _platform_or_404(slug: str) -> Platform:
    try:
        return platforms.get_public_platform(slug)
    except platforms.PlatformNotFound:
        abort(404)


# Downloads are named in the page's language (file names stay plain ASCII).
EXPORT_WORD = {"en": "endorsers", "fr": "appuis"}


def _export_name(platform: Platform, extension: str) -> str:
    return f"{EXPORT_WORD[g.lang]}-{platform.slug}-{g.lang}.{extension}"


@bp.get("/<lang:lang>/p/<slug>/endorsers")
@public_cache
def endorsers(slug: str):
    services.one_snapshot()
    platform = _platform_or_404(slug)
    form = FilterForm(request.args)
    filters = form.filters()
    context = {"platform": platform, "form": form, "filters": filters}
    if not services.endorsers_published(platform):
        return render_template("directory/list.html", published=False, **context)
    # A page number beyond any real list is still a page that does not exist, not an error.
    number = whole_number(request.args.get("page"), 1, minimum=1, maximum=10**9)
    page = services.list_page(platform, filters, g.lang, number)
    page_html = render_template(
        "directory/list.html",
        published=True,
        page=page,
        # The logo wall leads the list's unfiltered first page only.
        wall=logo_wall(platform) if page.number == 1 and not filters.is_filtered else None,
        totals=services.totals(platform),
        provinces=services.province_counts(platform, filters, g.lang),
        problems=form.problems(),
        **context,
    )
    # A page past the end (the list shrank, or a mistyped number) says so, with a way back.
    return page_html, (200 if page.exists else 404)


@bp.get("/<lang:lang>/p/<slug>/endorsers.csv")
@public_cache
def endorsers_csv(slug: str):
    platform = _platform_or_404(slug)
    filters = FilterForm(request.args).filters()
    body = exports.public_csv(platform, filters, g.lang)
    return Response(
        stream_with_context(body),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{_export_name(platform, "csv")}"'},
    )


@bp.get("/<lang:lang>/p/<slug>/endorsers.json")
@public_cache
def endorsers_json(slug: str):
    platform = _platform_or_404(slug)
    filters = FilterForm(request.args).filters()
    body = exports.public_json(platform, filters, g.lang)
    return Response(
        stream_with_context(body),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{_export_name(platform, "json")}"'},
    )


@bp.get("/<lang:lang>/p/<slug>/endorsers/print")
@public_cache
def printable(slug: str):
    platform = _platform_or_404(slug)
    published = services.endorsers_published(platform)
    groups = services.organizations_by_province(platform, g.lang) if published else []
    return render_template(
        "directory/print.html", platform=platform, published=published, groups=groups, now=utcnow()
    )


EMBED_WALL_SIZE = 8


@bp.get("/<lang:lang>/p/<slug>/embed")
@frameable
@public_cache
def embed(slug: str):
    platform = _platform_or_404(slug)
    published = services.endorsers_published(platform)
    totals = services.totals(platform) if published else None
    # `?logos=1`: the embed code that shows a few logos under the count.
    with_logos = request.args.get("logos") == "1"
    return render_template(
        "directory/embed.html",
        platform=platform,
        published=published,
        totals=totals,
        wall=logo_wall(platform, EMBED_WALL_SIZE) if with_logos and published else None,
    )


@bp.get("/<lang:lang>/p/<slug>/share")
@public_cache
def share(slug: str):
    platform = _platform_or_404(slug)
    base = current_app.config["BASE_URL"]
    embeds = {}
    for lang in LANGUAGES:
        url = base + url_for(".embed", slug=platform.slug, lang=lang)
        with force_locale(lang):
            title = _(
                "Endorsements of %(title)s", title=quoted(localized(platform, "title", lang).value)
            )
        # The code other sites paste: escaped once here, and again when shown in the page.
        snippet = (
            f'<iframe src="{escape(url)}" title="{escape(title)}" width="340" height="240" '
            'loading="lazy" style="border:0"></iframe>'
        )
        # The same widget with a few logos under the count (taller).
        logos_url = base + url_for(".embed", slug=platform.slug, lang=lang, logos="1")
        logos_snippet = (
            f'<iframe src="{escape(logos_url)}" title="{escape(title)}" width="340" '
            'height="480" loading="lazy" style="border:0"></iframe>'
        )
        embeds[lang] = {
            "url": url,
            "snippet": snippet,
            "logos_url": logos_url,
            "logos_snippet": logos_snippet,
        }
    return render_template("directory/share.html", platform=platform, embeds=embeds)


@bp.get("/<lang:lang>/p/<slug>/card.png")
@public_cache
def share_card(slug: str):
    # The Open Graph image: pages link it with its key (?v=...), so a new count is a new URL.
    platform = _platform_or_404(slug)
    data = share_cards.card_png(share_cards.card_for(platform, g.lang))
    return Response(data, mimetype="image/png")


@bp.get("/<lang:lang>/p/<slug>/feed.atom")
@public_cache
def feed(slug: str):
    platform = _platform_or_404(slug)
    return Response(feeds.atom_feed(platform, g.lang), mimetype="application/atom+xml")


@bp.get("/sitemap.xml")
@public_cache
def sitemap():
    return Response(feeds.sitemap(platforms.published_platforms()), mimetype="application/xml")

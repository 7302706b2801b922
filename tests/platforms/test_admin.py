"""Platform management by admins: settings, texts with a preview, resources, versions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from petition.accounts.models import AdminLanguage
from petition.audit.models import AuditEvent
from petition.extensions import db
from petition.platforms import editing
from petition.platforms.models import (
    Platform,
    PlatformStatus,
    PlatformVersion,
    Resource,
    ResourceKind,
)
from tests.factories import add_resource, make_admin_user, make_platform
from tests.logins import log_in
from tests.pages import csrf_token, text

FRENCH_ONLY_MISSING = {
    "en": {"title": "Safer supply now", "summary": "Five demands.", "body": "1. Regulate"},
}


@pytest.fixture
def admin(app):
    with app.app_context():
        make_admin_user("boss@example.org", role="admin")
        make_admin_user("mod@example.org", role="moderator")
        make_admin_user("patronne@example.org", role="admin", preferred_locale=AdminLanguage.FR)
        db.session.commit()


@pytest.fixture
def boss(app, admin):
    client = app.test_client()
    assert log_in(client, "boss@example.org").status_code == 302
    return client


def settings_data(**overrides) -> dict:
    """Every field of the settings form, as a browser sends it."""
    data = {
        "slug": "safer-supply-now",
        "status": "draft",
        "version_label": "1.0",
        "released_on": "2027-02-01",
        "signon_opens_at": "",
        "signon_closes_at": "",
        "launch_at": "",
        "allow_individuals": "y",
        "individuals_need_review": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def texts_data(texts: dict[str, dict[str, str]], action: str = "save") -> dict:
    # The "Preview" button sends its name; saving sends no button name.
    data = {"preview": "y"} if action == "preview" else {}
    for locale in ("en", "fr"):
        for field in ("title", "summary", "body"):
            data[f"{field}_{locale}"] = texts.get(locale, {}).get(field, "")
    return data


def post(client, url: str, data: dict):
    """Open the form's page for its CSRF token, then submit `data` like a browser."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client.get(url))})


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )


def snapshot(app, slug: str) -> dict:
    """Everything stored about a platform, to show that a refused edit changed nothing."""
    with app.app_context():
        platform = db.session.scalar(select(Platform).where(Platform.slug == slug))
        values = {name: getattr(platform, name) for name in editing.SETTINGS_FIELDS}
        values["texts"] = {
            locale: (t.title, t.summary, t.body) for locale, t in platform.texts.items()
        }
        values["resources"] = [
            (r.kind, r.url, r.title_en, r.title_fr, r.position) for r in platform.resources
        ]
        return values


def test_create_write_both_languages_and_publish(app, boss):
    response = post(boss, "/admin/platforms/new", settings_data(status=None))
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/platforms/safer-supply-now/texts"
    page = text(boss.get(response.headers["Location"]))
    assert "The platform is created as a draft" in page
    assert "Still missing before the platform can be published" in page

    texts = {
        "en": {
            "title": "Safer Supply Now",
            "summary": "Five demands for a regulated supply.",
            "body": "## Demands\n\n1. Regulate the supply",
        },
        "fr": {
            "title": "Un approvisionnement sûr, maintenant",
            "summary": "Cinq revendications pour un approvisionnement réglementé.",
            "body": "## Revendications\n\n1. Réglementer l'approvisionnement",
        },
    }
    response = post(boss, "/admin/platforms/safer-supply-now/texts", texts_data(texts))
    assert response.status_code == 303
    assert "Texts saved." in text(boss.get(response.headers["Location"]))
    # Still a draft: the public does not see it.
    assert boss.get("/en/p/safer-supply-now/").status_code == 404

    response = post(
        boss, "/admin/platforms/safer-supply-now/settings", settings_data(status="published")
    )
    assert response.status_code == 303
    english = text(boss.get("/en/p/safer-supply-now/"))
    french = text(boss.get("/fr/p/safer-supply-now/"))
    assert "Safer Supply Now" in english and "<h2>Demands</h2>" in english
    assert "Un approvisionnement sûr, maintenant" in french
    assert "Réglementer l'approvisionnement" in french

    with app.app_context():
        platform = db.session.scalar(select(Platform).where(Platform.slug == "safer-supply-now"))
        assert platform.status == PlatformStatus.PUBLISHED
        assert platform.texts["fr"].summary.startswith("Cinq revendications")
        # Publishing records the first public version.
        assert [v.label for v in editing.versions(platform)] == ["1.0"]
    assert [e.action for e in events(app, "platform.create")] == ["platform.create"]
    assert len(events(app, "platform.publish")) == 1


def test_publishing_is_refused_until_french_is_complete(app, boss):
    with app.app_context():
        make_platform("safer-supply-now", status=PlatformStatus.DRAFT, texts=FRENCH_ONLY_MISSING)
        db.session.commit()
    before = snapshot(app, "safer-supply-now")
    url = "/admin/platforms/safer-supply-now/settings"
    response = post(boss, url, settings_data(status="published"))
    assert response.status_code == 422
    page = text(response)
    assert "A platform can only be public once both languages have a title" in page
    assert "Missing: French title, French summary, French text." in page
    assert snapshot(app, "safer-supply-now") == before
    assert events(app, "platform.publish") == []

    # Half the French is not enough either.
    texts = {**FRENCH_ONLY_MISSING, "fr": {"title": "Un approvisionnement sûr"}}
    post(boss, "/admin/platforms/safer-supply-now/texts", texts_data(texts))
    page = text(post(boss, url, settings_data(status="published")))
    assert "Missing: French summary, French text." in page

    texts["fr"] = {
        "title": "Un approvisionnement sûr",
        "summary": "Cinq.",
        "body": "1. Réglementer",
    }
    post(boss, "/admin/platforms/safer-supply-now/texts", texts_data(texts))
    response = post(boss, url, settings_data(status="published"))
    assert response.status_code == 303
    assert boss.get("/fr/p/safer-supply-now/").status_code == 200


def test_the_publishing_rule_lives_in_the_service(app, admin):
    with app.app_context():
        platform = make_platform("half", status=PlatformStatus.DRAFT, texts=FRENCH_ONLY_MISSING)
        actor = make_admin_user("rule@example.org")
        assert [str(name) for name in editing.missing_texts(platform)] == [
            "French title",
            "French summary",
            "French text",
        ]
        values = {"slug": "half", "version_label": "1.0", "status": PlatformStatus.PUBLISHED}
        with pytest.raises(editing.EditRefused) as refused:
            editing.update_settings(platform, values, actor)
        assert set(refused.value.problems) == {"status"}
        assert platform.status == PlatformStatus.DRAFT
        # The texts a form is about to save count.
        full = {"fr": {"title": "Titre", "summary": "Résumé", "body": "Texte"}}
        assert editing.publish_problem(platform, full) is None
        db.session.rollback()


def test_a_public_platform_cannot_lose_a_text(app, boss):
    with app.app_context():
        make_platform("public-one")
        db.session.commit()
    before = snapshot(app, "public-one")
    texts = {
        "en": {"title": "Test platform", "summary": "A summary.", "body": "1. First point"},
        "fr": {"title": "Plateforme test", "summary": "", "body": "1. Premier point"},
    }
    response = post(boss, "/admin/platforms/public-one/texts", texts_data(texts))
    assert response.status_code == 422
    assert "A public platform needs this text" in text(response)
    assert snapshot(app, "public-one") == before


def test_closing_keeps_the_page_public_but_ends_sign_on(app, boss):
    with app.app_context():
        make_platform("closing-soon")
        db.session.commit()
    assert "Endorse as an organization" in text(boss.get("/en/p/closing-soon/"))
    response = post(
        boss,
        "/admin/platforms/closing-soon/settings",
        settings_data(slug="closing-soon", status="closed"),
    )
    assert response.status_code == 303
    page = text(boss.get("/en/p/closing-soon/"))
    assert "Sign-on has ended" in page
    assert "Endorse as an organization" not in page
    assert "no longer accepts endorsements" in text(
        boss.get("/en/p/closing-soon/sign/organization")
    )
    [event] = events(app, "platform.close")
    assert event.details == {"before": {"status": "published"}, "after": {"status": "closed"}}


def test_sign_on_times_are_entered_on_the_site_clock_and_stored_in_utc(app, boss):
    with app.app_context():
        make_platform("timed", status=PlatformStatus.DRAFT)
        db.session.commit()
    url = "/admin/platforms/timed/settings"
    data = settings_data(
        slug="timed",
        # Toronto: winter is UTC-5, summer UTC-4.
        signon_opens_at="2027-01-15T09:00",
        signon_closes_at="2027-07-01T17:30",
        launch_at="2027-01-20T10:00",
    )
    assert post(boss, url, data).status_code == 303
    with app.app_context():
        platform = db.session.scalar(select(Platform).where(Platform.slug == "timed"))
        assert platform.signon_opens_at == datetime(2027, 1, 15, 14, 0, tzinfo=UTC)
        assert platform.signon_closes_at == datetime(2027, 7, 1, 21, 30, tzinfo=UTC)
        assert platform.launch_at == datetime(2027, 1, 20, 15, 0, tzinfo=UTC)
    # Shown back as typed, on the site's clock.
    page = text(boss.get(url))
    assert 'value="2027-01-15T09:00"' in page
    assert 'value="2027-07-01T17:30"' in page
    assert "Time in America/Toronto" in page

    # 02:30 on the spring-forward night does not exist in Toronto.
    before = snapshot(app, "timed")
    response = post(boss, url, {**data, "signon_opens_at": "2027-03-14T02:30"})
    assert response.status_code == 422
    assert "the clocks skip it" in text(response)
    assert snapshot(app, "timed") == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"slug": "Not A Slug!"}, "slug", "lower-case letters (a to z), digits and single hyphens"),
        ({"slug": "double--hyphen"}, "slug", "lower-case letters (a to z)"),
        ({"slug": "ab"}, "slug", "Use 3 to 80 lower-case letters"),
        ({"slug": "taken-already"}, "slug", "Another platform already uses this address"),
        (
            {"signon_opens_at": "2027-03-01T09:00", "signon_closes_at": "2027-02-01T09:00"},
            "signon_closes_at",
            "Sign-on must close after it opens.",
        ),
        ({"signon_opens_at": "next tuesday"}, "signon_opens_at", "Enter a date and time as"),
        ({"released_on": "2027-02-31"}, "released_on", "Enter a date as YYYY-MM-DD"),
        ({"version_label": ""}, "version_label", "Enter a version label"),
        ({"version_label": "v" * 41}, "version_label", "Use 40 characters or fewer."),
        ({"status": "archived"}, "status", "Not a valid choice"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_invalid_settings_show_errors_and_change_nothing(app, boss, overrides, field, message):
    with app.app_context():
        make_platform("taken-already")
        make_platform("my-platform", status=PlatformStatus.DRAFT)
        db.session.commit()
    before, events_before = snapshot(app, "my-platform"), audit_count(app)
    url = "/admin/platforms/my-platform/settings"
    response = post(boss, url, settings_data(**{"slug": "my-platform", **overrides}))
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'class="error-summary"' in page
    assert (
        f'id="{field}-error"' in page
        or f'<fieldset class="field field--error" id="{field}"' in page
    )
    assert snapshot(app, "my-platform") == before
    assert audit_count(app) == events_before


def test_new_platform_with_a_taken_address_is_refused(app, boss):
    with app.app_context():
        make_platform("taken-already")
        db.session.commit()
    response = post(boss, "/admin/platforms/new", settings_data(slug="taken-already", status=None))
    assert response.status_code == 422
    assert "Another platform already uses this address" in text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Platform)) == 1


def test_too_long_title_is_refused(app, boss):
    with app.app_context():
        make_platform("long-titles", status=PlatformStatus.DRAFT)
        db.session.commit()
    before = snapshot(app, "long-titles")
    texts = {"en": {"title": "T" * 301, "summary": "S", "body": "B"}, "fr": {"title": "Titre"}}
    response = post(boss, "/admin/platforms/long-titles/texts", texts_data(texts))
    assert response.status_code == 422
    assert "Use 300 characters or fewer." in text(response)
    assert snapshot(app, "long-titles") == before


def test_preview_renders_sanitized_markdown_and_saves_nothing(app, boss):
    with app.app_context():
        make_platform("preview-me", status=PlatformStatus.DRAFT)
        db.session.commit()
    before, events_before = snapshot(app, "preview-me"), audit_count(app)
    body = (
        "## Our demands\n\n1. **Repeal** possession\n\n"
        '<script>alert("x")</script>\n\n<img src=x onerror=alert(1)>\n\n'
        "[click](javascript:alert(1)) and [a report](https://example.org/report)"
    )
    texts = {
        "en": {"title": "Preview <b>title</b>", "summary": "Short.", "body": body},
        "fr": {"title": "Titre", "summary": "Court.", "body": "## Nos revendications"},
    }
    response = post(boss, "/admin/platforms/preview-me/texts", texts_data(texts, "preview"))
    page = response.get_data(as_text=True)
    assert "This is a preview: nothing is saved yet." in page
    preview = page.split('<section class="preview"', 1)[1].split("</section>", 1)[0]
    assert "<h2>Our demands</h2>" in preview
    assert "<strong>Repeal</strong>" in preview
    assert '<a href="https://example.org/report" rel="noopener noreferrer nofollow">' in preview
    assert "<script" not in preview and "<img" not in preview
    assert 'href="javascript' not in preview
    assert "&lt;script&gt;" in preview
    # The form keeps what was typed, so saving after the preview saves it.
    assert "Preview &lt;b&gt;title&lt;/b&gt;" in page
    french = page.split('<section class="preview"', 2)[2]
    assert 'lang="fr-CA"' in french.split(">", 1)[0] or "<h2>Nos revendications</h2>" in french
    assert snapshot(app, "preview-me") == before
    assert audit_count(app) == events_before


def test_every_change_is_audited_with_before_and_after(app, boss):
    with app.app_context():
        make_platform("audited", status=PlatformStatus.DRAFT)
        db.session.commit()
    url = "/admin/platforms/audited/settings"
    post(boss, url, settings_data(slug="audited", version_label="1.1", allow_individuals=None))
    [edit] = events(app, "platform.edit")
    assert edit.actor_label == "boss@example.org"
    assert edit.target_type == "platform"
    assert edit.details["before"] == {
        "version_label": "1.0",
        "released_on": "2026-01-21",
        "allow_individuals": True,
    }
    assert edit.details["after"] == {
        "version_label": "1.1",
        "released_on": "2027-02-01",
        "allow_individuals": False,
    }
    texts = {
        "en": {"title": "Test platform", "summary": "A better summary.", "body": "1. First point"},
        "fr": {"title": "Plateforme test", "summary": "Un résumé.", "body": "1. Premier point"},
    }
    post(boss, "/admin/platforms/audited/texts", texts_data(texts))
    [texts_event] = events(app, "platform.texts")
    assert texts_event.details == {
        "before": {"summary_en": "A summary."},
        "after": {"summary_en": "A better summary."},
    }
    # Saving the same values again changes nothing and records nothing.
    events_before = audit_count(app)
    response = post(boss, "/admin/platforms/audited/texts", texts_data(texts))
    assert "Nothing was changed." in text(boss.get(response.headers["Location"]))
    assert audit_count(app) == events_before

    # The audit log shows the events with readable names.
    page = text(boss.get("/admin/audit"))
    assert "Platform edited" in page and "Platform texts edited" in page


def test_version_history_is_recorded_when_the_label_changes(app, boss):
    with app.app_context():
        make_platform("versioned", version_label="1.0")
        db.session.commit()
    url = "/admin/platforms/versioned/settings"
    page = text(boss.get(url))
    assert "Summary of changes for a new version" in page

    # A summary in one language only is refused: endorsers are told in their own language.
    before = snapshot(app, "versioned")
    response = post(
        boss,
        url,
        settings_data(
            slug="versioned",
            status="published",
            version_label="1.1",
            changes_en="Added a recommendation on housing.",
        ),
    )
    assert response.status_code == 422
    assert "Write the summary of changes in both languages" in text(response)
    assert snapshot(app, "versioned") == before

    response = post(
        boss,
        url,
        settings_data(
            slug="versioned",
            status="published",
            version_label="1.1",
            changes_en="Added a recommendation on housing.",
            changes_fr="Ajout d'une recommandation sur le logement.",
        ),
    )
    assert response.status_code == 303
    with app.app_context():
        platform = db.session.scalar(select(Platform).where(Platform.slug == "versioned"))
        history = editing.versions(platform)
        assert [v.label for v in history] == ["1.1", "1.0"]
        assert history[0].changes_en == "Added a recommendation on housing."
        assert history[0].changes_fr == "Ajout d'une recommandation sur le logement."
        # The earlier version was public before versions were kept: dated by its release.
        assert history[1].published_at == datetime(2026, 1, 21, 5, 0, tzinfo=UTC)
    [version_event] = events(app, "platform.version")
    assert version_event.details["before"] == {"version_label": "1.0"}
    assert version_event.details["after"]["version_label"] == "1.1"

    # A summary without a new label is refused rather than lost.
    response = post(
        boss,
        url,
        settings_data(
            slug="versioned",
            status="published",
            version_label="1.1",
            changes_en="More.",
            changes_fr="Plus.",
        ),
    )
    assert response.status_code == 422
    assert "A summary of changes is kept only with a new version label" in text(response)

    # The summary can be rewritten later, on the versions page.
    versions_page = text(boss.get("/admin/platforms/versioned/versions"))
    assert "Version 1.1" in versions_page and "Version 1.0" in versions_page
    with app.app_context():
        newest = db.session.scalar(select(PlatformVersion).where(PlatformVersion.label == "1.1"))
    response = boss.post(
        f"/admin/platforms/versioned/versions/{newest.id}",
        data={
            "changes_en": "Housing recommendation added.",
            "changes_fr": "Ajout : logement.",
            "csrf_token": csrf_token(boss.get("/admin/platforms/versioned/versions")),
        },
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(PlatformVersion, newest.id).changes_fr == "Ajout : logement."
    # Emptying one language only is refused, and nothing changes.
    response = boss.post(
        f"/admin/platforms/versioned/versions/{newest.id}",
        data={
            "changes_en": "Housing recommendation added.",
            "changes_fr": "",
            "csrf_token": csrf_token(boss.get("/admin/platforms/versioned/versions")),
        },
    )
    assert response.status_code == 422
    assert "Write the summary of changes in both languages" in text(response)
    with app.app_context():
        assert db.session.get(PlatformVersion, newest.id).changes_fr == "Ajout : logement."
    assert len(events(app, "platform.version_changes")) == 1


def test_drafts_keep_no_version_history(app, boss):
    with app.app_context():
        make_platform("draft-versions", status=PlatformStatus.DRAFT)
        db.session.commit()
    post(
        boss,
        "/admin/platforms/draft-versions/settings",
        settings_data(slug="draft-versions", version_label="0.2"),
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PlatformVersion)) == 0


def test_resources_add_edit_reorder_remove(app, boss):
    with app.app_context():
        platform = make_platform("with-resources")
        first = add_resource(platform, title_en="First report", position=0)
        db.session.commit()
        first_id = first.id
    url = "/admin/platforms/with-resources/resources"
    response = post(
        boss,
        url,
        {
            "kind": "podcast",
            "url": "https://podcast.example.org/episode-1",
            "published_on": "2027-01-05",
            "title_en": "Episode one",
            "title_fr": "Épisode un",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        second = db.session.scalar(select(Resource).where(Resource.title_en == "Episode one"))
        assert (second.kind, second.position) == (ResourceKind.PODCAST, 1)
        second_id = second.id
    assert "Épisode un" in text(boss.get("/fr/p/with-resources/"))

    response = post(
        boss,
        f"{url}/{second_id}",
        {
            "kind": "podcast",
            "url": "https://podcast.example.org/episode-1",
            "published_on": "",
            "title_en": "Episode one: peers",
            "title_fr": "Épisode un : les pairs",
        },
    )
    assert response.status_code == 303
    [edit] = events(app, "resource.edit")
    assert edit.details["before"] == {
        "published_on": "2027-01-05",
        "title_en": "Episode one",
        "title_fr": "Épisode un",
    }

    token = csrf_token(boss.get(url))
    response = boss.post(f"{url}/{second_id}/move", data={"direction": "up", "csrf_token": token})
    assert response.status_code == 303
    with app.app_context():
        platform = db.session.scalar(select(Platform).where(Platform.slug == "with-resources"))
        assert [r.id for r in platform.resources] == [second_id, first_id]
    # The first one cannot move further up.
    boss.post(f"{url}/{second_id}/move", data={"direction": "up", "csrf_token": token})
    assert "That resource cannot move further." in text(boss.get(url))

    response = boss.post(f"{url}/{first_id}/remove", data={"csrf_token": token})
    assert response.status_code == 303
    assert "First report" not in text(boss.get("/en/p/with-resources/"))
    actions = [e.action for e in events(app, "resource.add")]
    actions += [e.action for e in events(app, "resource.move")]
    actions += [e.action for e in events(app, "resource.remove")]
    assert actions == ["resource.add", "resource.move", "resource.remove"]
    [removed] = events(app, "resource.remove")
    assert removed.details["before"]["title_en"] == "First report"
    assert removed.details["after"] == {}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"url": "javascript:alert(1)"}, "starts with http:// or https://"),
        ({"url": "ftp://files.example.org/report.pdf"}, "starts with http:// or https://"),
        ({"url": "https://"}, "starts with http:// or https://"),
        ({"url": ""}, "Enter the resource's web address."),
        ({"title_en": "", "title_fr": ""}, "Enter a title in at least one language."),
        ({"title_en": "T" * 301}, "Use 300 characters or fewer."),
        ({"kind": "rumour"}, "Not a valid choice"),
        ({"published_on": "yesterday"}, "Enter a date as YYYY-MM-DD"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_invalid_resources_are_refused(app, boss, overrides, message):
    with app.app_context():
        platform = make_platform("with-resources")
        existing = add_resource(platform, title_en="A report")
        db.session.commit()
        existing_id = existing.id
    before, events_before = snapshot(app, "with-resources"), audit_count(app)
    data = {
        "kind": "report",
        "url": "https://example.org/new",
        "published_on": "",
        "title_en": "New",
        "title_fr": "",
        **overrides,
    }
    url = "/admin/platforms/with-resources/resources"
    for target in (url, f"{url}/{existing_id}"):
        response = post(boss, target, data)
        assert response.status_code == 422
        assert message in text(response)
    assert snapshot(app, "with-resources") == before
    assert audit_count(app) == events_before


def test_a_resource_of_another_platform_is_not_found(app, boss):
    with app.app_context():
        make_platform("mine")
        other = make_platform("theirs")
        theirs = add_resource(other, title_en="Theirs")
        db.session.commit()
        theirs_id = theirs.id
    assert boss.get(f"/admin/platforms/mine/resources/{theirs_id}").status_code == 404
    token = csrf_token(boss.get("/admin/platforms/mine/resources"))
    response = boss.post(
        f"/admin/platforms/mine/resources/{theirs_id}/remove", data={"csrf_token": token}
    )
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Resource, theirs_id) is not None


def _platform_admin_routes(app):
    return [
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("platforms_admin.")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]


def test_moderators_may_not_manage_platforms(app, admin):
    with app.app_context():
        platform = make_platform("guarded")
        resource = add_resource(platform)
        db.session.commit()
        resource_id = resource.id
    before = snapshot(app, "guarded")
    moderator = app.test_client()
    log_in(moderator, "mod@example.org")
    token = csrf_token(moderator.get("/admin/"))
    routes = _platform_admin_routes(app)
    assert len(routes) >= 10
    for rule, method in routes:
        url = (
            rule.replace("<slug>", "guarded")
            .replace("<int:resource_id>", str(resource_id))
            .replace("<int:version_id>", "1")
        )
        response = moderator.open(url, method=method, data={"csrf_token": token, "slug": "stolen"})
        assert response.status_code == 403, (method, url)
    assert snapshot(app, "guarded") == before
    # No link to a page they may not open.
    assert "/admin/platforms" not in text(moderator.get("/admin/"))


def test_platform_pages_in_french(app, admin):
    with app.app_context():
        make_platform("en-francais", status=PlatformStatus.DRAFT, texts=FRENCH_ONLY_MISSING)
        db.session.commit()
    client = app.test_client()
    log_in(client, "patronne@example.org")
    page = text(client.get("/admin/platforms"))
    assert '<html lang="fr-CA"' in page
    assert "Nouvelle plateforme" in page
    page = text(client.get("/admin/platforms/en-francais/settings"))
    assert "Enregistrer les paramètres" in page
    assert "Heure selon le fuseau America/Toronto" in page
    response = post(
        client,
        "/admin/platforms/en-francais/settings",
        settings_data(slug="en-francais", status="published", signon_opens_at="demain"),
    )
    page = text(response)
    assert response.status_code == 422
    assert "Il y a un problème" in page
    assert "titre en français" in page
    page = text(client.get("/admin/platforms/en-francais/texts"))
    assert "Aperçu" in page
    page = text(client.get("/admin/platforms/en-francais/resources"))
    assert "Ajouter une ressource" in page
    response = post(
        client,
        "/admin/platforms/en-francais/resources",
        {"kind": "report", "url": "javascript:alert(1)", "title_en": "X", "published_on": ""},
    )
    assert "commence par http:// ou https://" in text(response)


def test_platform_list_shows_what_is_missing(app, boss):
    with app.app_context():
        make_platform("complete-one")
        make_platform("half-done", status=PlatformStatus.DRAFT, texts=FRENCH_ONLY_MISSING)
        db.session.commit()
    page = text(boss.get("/admin/platforms"))
    assert "Complete in both languages" in page
    assert "3 missing" in page
    assert 'href="/admin/platforms/half-done/settings"' in page
    # Admins find the platforms from the navigation.
    assert '<a href="/admin/platforms"' in text(boss.get("/admin/"))

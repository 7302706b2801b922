"""The public list: accent-blind search, collation, filters, counts, pages, bad input."""

from __future__ import annotations

import re

import pytest

from petition.endorsements.models import DisplayMode, EndorsementStatus, OrgType, Province
from petition.extensions import db
from tests.directory.endorsers import add_endorsement, add_individual
from tests.factories import make_platform
from tests.pages import text

SLUG = "drug-policy"


def listed_names(client, url: str) -> list[str]:
    """Return the endorser names of a list page, in order."""
    page = text(client.get(url))
    names = re.findall(r'<p class="entry__name">\s*(?:<a [^>]*>)?([^<]+?)\s*(?:</a>|<)', page)
    return [name.strip().rstrip(",") for name in names]


@pytest.fixture
def names(app):
    """Organizations whose names test accents, case, articles and the two languages."""
    with app.app_context():
        platform = make_platform(SLUG)
        add_endorsement(platform, "L'Île aux usagers", province=Province.QC, city="Québec")
        add_endorsement(platform, "Réseau des pairs aidants", province=Province.QC)
        add_endorsement(platform, "reseau urbain", province=Province.NB)
        add_endorsement(platform, "The Harbour Collective", province=Province.NS)
        add_endorsement(platform, "Éclosion communautaire", province=Province.QC)
        add_endorsement(platform, "Echo Outreach", province=Province.BC)
        add_endorsement(platform, "Hamilton Harm Reduction", province=Province.ON)
        add_endorsement(platform, "Ivy Street Clinic", province=Province.ON)
        add_endorsement(platform, "ÉQUITÉ Santé", province=Province.QC)
        add_endorsement(
            platform,
            "Overdose Prevention Society",
            org_name_fr="Société de prévention des surdoses",
            province=Province.BC,
        )
        db.session.commit()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ile", {"L'Île aux usagers"}),
        ("ÎLE", {"L'Île aux usagers"}),
        ("l'ile", {"L'Île aux usagers"}),
        ("reseau", {"Réseau des pairs aidants", "reseau urbain"}),
        ("RÉSEAU", {"Réseau des pairs aidants", "reseau urbain"}),
        ("Réseau pairs", {"Réseau des pairs aidants"}),
        ("equite", {"ÉQUITÉ Santé"}),
        ("usagers ile", {"L'Île aux usagers"}),
        ("100%", set()),
        ("a_b", set()),
    ],
)
def test_search_ignores_case_and_accents(client, names, query, expected):
    for lang in ("en", "fr"):
        found = listed_names(client, f"/{lang}/p/{SLUG}/endorsers?q={query}")
        assert set(found) == expected, (lang, query, found)


def test_search_finds_names_in_either_language(client, names):
    assert listed_names(client, f"/en/p/{SLUG}/endorsers?q=surdoses") == [
        "Overdose Prevention Society"
    ]
    assert listed_names(client, f"/fr/p/{SLUG}/endorsers?q=overdose") == [
        "Société de prévention des surdoses"
    ]


def test_names_sort_as_a_reader_expects(client, names):
    english = listed_names(client, f"/en/p/{SLUG}/endorsers")
    assert english == [
        "Echo Outreach",
        "Éclosion communautaire",
        "ÉQUITÉ Santé",
        "Hamilton Harm Reduction",
        "The Harbour Collective",  # under H, not T
        "L'Île aux usagers",  # under I, not L
        "Ivy Street Clinic",
        "Overdose Prevention Society",
        "Réseau des pairs aidants",
        "reseau urbain",
    ]
    french = listed_names(client, f"/fr/p/{SLUG}/endorsers")
    # In French the society is listed under its French name, so under S.
    assert french.index("Société de prévention des surdoses") == len(french) - 1
    assert french[:3] == ["Echo Outreach", "Éclosion communautaire", "ÉQUITÉ Santé"]


def test_sort_by_date_lists_newest_first(app, client):
    with app.app_context():
        platform = make_platform(SLUG)
        add_endorsement(platform, "Older Group", minutes_ago=500)
        add_endorsement(platform, "Newest Group", minutes_ago=1)
        add_endorsement(platform, "Middle Group", minutes_ago=60)
        db.session.commit()
    assert listed_names(client, f"/en/p/{SLUG}/endorsers?sort=date") == [
        "Newest Group",
        "Middle Group",
        "Older Group",
    ]


@pytest.fixture
def mix(app):
    """Organizations and individuals across provinces, types and by-and-for groups."""
    with app.app_context():
        platform = make_platform(SLUG)
        specs = [
            ("Alpha Users Union", Province.QC, OrgType.DRUG_USER_GROUP, True),
            ("Beta Harm Reduction", Province.QC, OrgType.HARM_REDUCTION, False),
            ("Gamma Peer Network", Province.ON, OrgType.DRUG_USER_GROUP, True),
            ("Delta Legal Clinic", Province.ON, OrgType.LEGAL, False),
            ("Epsilon Outreach", Province.BC, OrgType.HARM_REDUCTION, True),
            ("Zeta Health Centre", Province.NU, OrgType.HEALTH, False),
        ]
        for name, province, org_type, by_and_for in specs:
            add_endorsement(
                platform, name, province=province, org_type=org_type, by_and_for=by_and_for
            )
        add_individual(platform, "Iris Person", province=Province.QC)
        add_individual(platform, "Jules Person", province=Province.ON)
        add_individual(platform, "Kept Quiet", display_mode=DisplayMode.COUNTED_ONLY)
        add_endorsement(platform, "Pending Users Union", status=EndorsementStatus.PENDING_REVIEW)
        db.session.commit()


def heading_count(client, url: str) -> int:
    page = text(client.get(url))
    match = re.search(r'<h2 id="results-heading">\s*([\d\s ]+?) endorsers? (?:match|listed)', page)
    assert match, page
    return int(re.sub(r"\D", "", match.group(1)))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 8),
        ("province=QC", 3),
        ("province=QC&org_type=drug_user_group", 1),
        ("org_type=harm_reduction", 2),
        ("by_and_for=1", 3),
        ("by_and_for=1&province=ON", 1),
        ("kind=individual", 2),
        ("kind=organization", 6),
        ("kind=individual&by_and_for=1", 0),
        ("kind=organization&province=ON&by_and_for=1&org_type=drug_user_group", 1),
        ("q=union&by_and_for=1", 1),
        ("by_and_for=0", 8),
        ("by_and_for=no", 8),
    ],
)
def test_filters_combine_and_counts_agree_with_rows(client, mix, query, expected):
    url = f"/en/p/{SLUG}/endorsers?{query}"
    names = listed_names(client, url)
    assert len(names) == expected, names
    assert heading_count(client, url) == expected
    api = client.get(f"/api/v1/platforms/{SLUG}/endorsers?{query}").get_json()
    assert api["total"] == expected == len(api["data"])
    csv_rows = client.get(f"/en/p/{SLUG}/endorsers.csv?{query}").get_data(as_text=True)
    assert len(csv_rows.strip().splitlines()) == expected + 1


def test_province_counts_agree_with_the_filtered_list(client, mix):
    page = text(client.get(f"/en/p/{SLUG}/endorsers"))
    table = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    row = r'<th scope="row">(?:<a href="([^"]+)">)?([^<]+)(?:</a>)?</th>\s*<td class="num">(\d+)'
    rows = re.findall(row, table)
    counts = {label: int(count) for _href, label, count in rows}
    assert counts["Quebec"] == 3 and counts["Ontario"] == 3 and counts["Nunavut"] == 1
    assert counts["Alberta"] == 0
    assert sum(counts.values()) == 8
    for href, _label, count in rows:
        if href:
            assert len(listed_names(client, href.replace("&amp;", "&"))) == int(count)
    # The chart draws the same figures, with its own text alternative.
    assert '<svg viewBox="0 0 600' in page and 'role="img"' in page
    assert "the table below gives the same figures" in page
    assert " style=" not in page


def test_totals_count_every_approved_endorsement(client, mix):
    page = text(client.get(f"/en/p/{SLUG}/endorsers"))
    # Six organizations; three individuals, one of them only counted. Pending is not counted.
    assert "6 organizations and 3 individuals have endorsed this platform." in page
    assert "Kept Quiet" not in page
    platform_page = text(client.get(f"/en/p/{SLUG}/"))
    assert "6 organizations and 3 individuals have endorsed this platform." in platform_page
    assert "Zeta Health Centre" in platform_page  # among the most recent organizations
    assert f'href="/en/p/{SLUG}/endorsers"' in platform_page


def test_filters_are_in_the_url_and_kept_across_pages(app, client):
    with app.app_context():
        platform = make_platform(SLUG)
        for n in range(120):
            add_endorsement(platform, f"Quebec Group {n:03}", province=Province.QC)
        add_endorsement(platform, "Ontario Group", province=Province.ON)
        db.session.commit()
    first = text(client.get(f"/en/p/{SLUG}/endorsers?province=QC"))
    assert "Showing 1 to 50 of 120." in first
    [following] = re.findall(r'href="([^"]+)" rel="next"', first)
    assert sorted(following.split("?", 1)[1].split("&")) == ["page=2", "province=QC"]
    third = listed_names(client, f"/en/p/{SLUG}/endorsers?province=QC&page=3")
    assert third == [f"Quebec Group {n:03}" for n in range(100, 120)]
    # The same address gives the same page.
    assert listed_names(client, f"/en/p/{SLUG}/endorsers?province=QC&page=3") == third


def test_page_past_the_end_says_so(client, names):
    response = client.get(f"/fr/p/{SLUG}/endorsers?page=9")
    assert response.status_code == 404
    page = text(response)
    assert "Il n'y a pas de page 9" in page or "pas de page 9" in page
    assert f'href="/fr/p/{SLUG}/endorsers"' in page


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_nul_character_in_the_query_gets_a_clear_page(client, names, lang):
    # PostgreSQL refuses NUL in text: the app refuses it first, in the page's language.
    for path in (f"/{lang}/p/{SLUG}/endorsers", f"/{lang}/p/{SLUG}/endorsers.csv"):
        response = client.get(f"{path}?q=a%00b")
        assert response.status_code == 400
        expected = "Bad request" if lang == "en" else "Requête invalide"
        assert expected in text(response)
    assert client.get(f"/api/v1/platforms/{SLUG}/endorsers?q=%00").status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "province=XX",
        "org_type=robots",
        "kind=everyone",
        "sort=sideways",
        "page=abc",
        "page=-4",
        "page=99999999999999999999",
        "q=" + "x" * 500,
        "province=QC&province=ON",
        "q=%01%7F",
        "by_and_for=maybe",
    ],
)
def test_invalid_filters_are_ignored_with_a_message(client, names, query):
    response = client.get(f"/en/p/{SLUG}/endorsers?{query}")
    assert response.status_code in (200, 404)
    page = text(response)
    assert "Who endorses this platform" in page
    for export in ("endorsers.csv", "endorsers.json"):
        assert client.get(f"/en/p/{SLUG}/{export}?{query}").status_code == 200
    api = client.get(f"/api/v1/platforms/{SLUG}/endorsers?{query}")
    assert api.status_code in (200, 400)


def test_invalid_choice_is_explained_in_the_page_language(client, names):
    page = text(client.get(f"/fr/p/{SLUG}/endorsers?province=XX&org_type=robots"))
    assert "Ce choix n'est pas offert\u00a0; il a été ignoré." in page
    # The rest of the list still shows.
    assert "L'Île aux usagers" in page

"""The open-data API: responses match its own OpenAPI document, CORS, errors, pagination."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from petition.endorsements.models import DisplayMode, EndorsementStatus, OrgType, Province
from petition.extensions import db
from tests.directory.endorsers import add_endorsement, add_individual
from tests.factories import make_platform

SLUG = "drug-policy"
DOCUMENT_URI = "urn:petition:openapi"


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def validate(document: dict, schema_name: str, instance) -> None:
    """Validate `instance` against one of the document's component schemas."""
    registry = Registry().with_resource(
        DOCUMENT_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    validator = Draft202012Validator(
        {"$ref": f"{DOCUMENT_URI}#/components/schemas/{schema_name}"},
        registry=registry,
        format_checker=FormatChecker(),
    )
    validator.validate(instance)


@pytest.fixture
def endorsers(app):
    with app.app_context():
        platform = make_platform(SLUG)
        make_platform("second-platform")
        for n in range(7):
            add_endorsement(
                platform,
                f"Collectif {n} de Gaspé",
                org_name_fr=f"Collectif numéro {n} de Gaspé",
                province=Province.QC,
                org_type=OrgType.DRUG_USER_GROUP,
                by_and_for=n % 2 == 0,
                website="https://gaspe.example" if n == 0 else "",
                about_fr="Groupe de pairs." if n == 1 else "",
                contact_public=n == 2,
                title="Porte-parole",
                minutes_ago=100 - n,
            )
        # Equal names: the keyset must neither skip nor repeat them.
        for _ in range(5):
            add_individual(platform, "Alex Same", province=Province.ON, minutes_ago=50)
        add_individual(platform, "Sam Title", title="Nurse", display_mode=DisplayMode.FULL_NAME)
        add_individual(platform, "Nobody Named", display_mode=DisplayMode.COUNTED_ONLY)
        add_endorsement(platform, "Withdrawn Group", status=EndorsementStatus.WITHDRAWN)
        db.session.commit()


def test_openapi_document_describes_the_api(document):
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "https://petition.test/api/v1"}]
    assert set(document["paths"]) == {
        "/platforms",
        "/platforms/{slug}",
        "/platforms/{slug}/endorsers",
    }
    Draft202012Validator.check_schema(document["components"]["schemas"]["EndorserPage"])


def test_responses_validate_against_the_openapi_document(client, document, endorsers):
    validate(document, "PlatformList", client.get("/api/v1/platforms").get_json())
    for lang in ("en", "fr"):
        detail = client.get(f"/api/v1/platforms/{SLUG}?lang={lang}").get_json()
        validate(document, "PlatformDetail", detail)
        for query in ("", "&sort=date", "&kind=individual", "&by_and_for=1&limit=2", "&q=gaspe"):
            page = client.get(f"/api/v1/platforms/{SLUG}/endorsers?lang={lang}{query}")
            validate(document, "EndorserPage", page.get_json())
    for url in (
        f"/api/v1/platforms/{SLUG}/endorsers?province=XX",
        f"/api/v1/platforms/{SLUG}/endorsers?cursor=nonsense",
        "/api/v1/platforms/no-such-platform",
    ):
        response = client.get(url)
        assert response.status_code in (400, 404)
        validate(document, "Error", response.get_json())


def test_schemas_refuse_fields_they_do_not_list(document):
    entry = {
        "kind": "individual",
        "kind_label": "Individual",
        "name": "Sam Title",
        "title": None,
        "org_type": None,
        "org_type_label": None,
        "by_and_for": None,
        "city": "Toronto",
        "province": "ON",
        "province_label": "Ontario",
        "website": None,
        "about": None,
        "about_lang": None,
        "contact": None,
        "endorsed_on": "2026-01-21",
    }
    validate(document, "Endorser", entry)
    from jsonschema import ValidationError

    with pytest.raises(ValidationError):
        validate(document, "Endorser", {**entry, "email": "sam@example.net"})


def test_cors_is_open_for_reading(client, endorsers):
    for url in ("/api/v1/platforms", f"/api/v1/platforms/{SLUG}/endorsers", "/api/v1/openapi.json"):
        response = client.get(url, headers={"Origin": "https://news.example"})
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Set-Cookie" not in response.headers
        assert "public" in response.headers["Cache-Control"]
    assert client.post("/api/v1/platforms").status_code == 405


def test_keyset_pages_walk_the_whole_list_once(client, endorsers):
    for sort in ("name", "date"):
        for lang in ("en", "fr"):
            seen = []
            url = f"/api/v1/platforms/{SLUG}/endorsers?limit=2&sort={sort}&lang={lang}"
            while url:
                body = client.get(url.removeprefix("https://petition.test")).get_json()
                assert body["total"] == 13
                seen += [item["name"] for item in body["data"]]
                url = body["links"]["next"]
            assert len(seen) == 13, (sort, lang, seen)
            assert seen.count("Alex Same") == 5
            everything = client.get(
                f"/api/v1/platforms/{SLUG}/endorsers?limit=200&sort={sort}&lang={lang}"
            ).get_json()
            assert [item["name"] for item in everything["data"]] == seen


def test_names_and_labels_follow_the_lang_parameter(client, endorsers):
    french = client.get(f"/api/v1/platforms/{SLUG}/endorsers?lang=fr&kind=organization").get_json()
    first = french["data"][0]
    assert first["name"].startswith("Collectif numéro")
    assert first["province_label"] == "Québec"
    assert first["org_type_label"] == "Groupe de personnes qui consomment des drogues"
    english = client.get(f"/api/v1/platforms/{SLUG}/endorsers?kind=organization").get_json()
    assert english["data"][0]["province_label"] == "Quebec"
    by_province = client.get(f"/api/v1/platforms/{SLUG}?lang=fr").get_json()["by_province"]
    assert {"province": "QC", "label": "Québec", "count": 7} in by_province


def test_without_lang_the_browsers_language_decides(client, endorsers):
    french = {"Accept-Language": "fr-CA,fr;q=0.9"}
    response = client.get(f"/api/v1/platforms/{SLUG}/endorsers?kind=organization", headers=french)
    body = response.get_json()
    assert body["lang"] == "fr" and body["data"][0]["province_label"] == "Québec"
    assert "Accept-Language" in response.headers["Vary"]
    assert response.headers["Content-Language"] == "fr-CA"
    detail = client.get(f"/api/v1/platforms/{SLUG}", headers=french).get_json()
    assert {"province": "QC", "label": "Québec", "count": 7} in detail["by_province"]
    # ?lang= outranks the browser, and then the answer does not vary on it.
    chosen = client.get(
        f"/api/v1/platforms/{SLUG}/endorsers?lang=en&kind=organization", headers=french
    )
    assert chosen.get_json()["data"][0]["province_label"] == "Quebec"
    assert "Accept-Language" not in chosen.headers.get("Vary", "")
    refused = client.get(f"/api/v1/platforms/{SLUG}/endorsers?province=XX", headers=french)
    assert refused.status_code == 400
    assert refused.get_json()["error"]["message"] == (
        "Certains paramètres de la requête ne sont pas valides."
    )


def test_contact_person_only_when_made_public(client, endorsers):
    data = client.get(f"/api/v1/platforms/{SLUG}/endorsers?kind=organization").get_json()["data"]
    contacts = [item["contact"] for item in data if item["contact"]]
    assert len(contacts) == 1 and contacts[0]["title"] == "Porte-parole"
    assert "Contact Person" in contacts[0]["name"]


def test_invalid_parameters_get_a_clear_error(client, endorsers):
    response = client.get(f"/api/v1/platforms/{SLUG}/endorsers?province=XX&limit=5000&lang=fr")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert set(error["fields"]) == {"province", "limit"}
    assert error["fields"]["limit"] == "Entrez un nombre entier de 1 à 200."
    bad_cursor = client.get(f"/api/v1/platforms/{SLUG}/endorsers?cursor=Zm9v")
    assert bad_cursor.status_code == 400 and "cursor" in bad_cursor.get_json()["error"]["fields"]
    missing = client.get("/api/v1/platforms/nope")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["status"] == 404


def test_platform_list_counts_endorsers(client, endorsers):
    platforms = {p["slug"]: p for p in client.get("/api/v1/platforms").get_json()["data"]}
    counts = platforms[SLUG]["endorsers"]
    assert counts == {
        "published": True,
        "publishes_at": None,
        "organizations": 7,
        "individuals": 7,
        "total": 14,
    }
    assert platforms["second-platform"]["endorsers"]["total"] == 0
    assert platforms[SLUG]["links"]["endorsers_page"]["fr"] == (
        f"https://petition.test/fr/p/{SLUG}/endorsers"
    )

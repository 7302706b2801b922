"""The OpenAPI 3.1 document describing the open-data API (served at /api/v1/openapi.json).

Its descriptions are in the negotiated language (`?lang=fr`, else Accept-Language), like the
API's own messages; the schemas are the same in both.

Schemas forbid properties they do not list, so a test that validates real responses against
them also proves that nothing else (an email address, an id) slipped into a response.
"""

from __future__ import annotations

from ..endorsements.models import EndorsementKind, OrgType, Province
from ..i18n import _
from ..platforms.models import PlatformStatus
from ..platforms.services import SignonState
from . import services

NULLABLE_STRING = {"type": ["string", "null"]}
DATE_TIME = {"type": ["string", "null"], "format": "date-time"}
URL = {"type": "string", "format": "uri"}


def _object(properties: dict, description: str = "") -> dict:
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def _per_language(schema: dict) -> dict:
    return _object({"en": schema, "fr": schema})


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _schemas() -> dict:
    platform = {
        "slug": {"type": "string"},
        "status": {"enum": [s.value for s in PlatformStatus if s != PlatformStatus.DRAFT]},
        "version": {"type": "string"},
        "released_on": {"type": ["string", "null"], "format": "date"},
        "title": _per_language(NULLABLE_STRING),
        "summary": _per_language(NULLABLE_STRING),
        "signon": _object(
            {
                "state": {"enum": [s.value for s in SignonState]},
                "opens_at": DATE_TIME,
                "closes_at": DATE_TIME,
            }
        ),
        "endorsers": _object(
            {
                "published": {
                    "type": "boolean",
                    "description": _(
                        "False while the platform's embargo lasts: then every "
                        "count is null and no endorser is given."
                    ),
                },
                "publishes_at": DATE_TIME,
                "organizations": {"type": ["integer", "null"], "minimum": 0},
                "individuals": {
                    "type": ["integer", "null"],
                    "minimum": 0,
                    "description": _("Includes individuals who asked to be counted, not named."),
                },
                "total": {"type": ["integer", "null"], "minimum": 0},
            }
        ),
        "links": _object(
            {
                "page": _per_language(URL),
                "endorsers_page": _per_language(URL),
                "feed": _per_language(URL),
                "api": URL,
                "api_endorsers": URL,
            }
        ),
    }
    province_count = _object(
        {
            "province": {"enum": [p.value for p in Province]},
            "label": {"type": "string"},
            "count": {"type": "integer", "minimum": 0},
        }
    )
    endorser = _object(
        {
            "kind": {"enum": [k.value for k in EndorsementKind]},
            "kind_label": {"type": "string"},
            "name": {"type": "string", "minLength": 1},
            "title": {
                **NULLABLE_STRING,
                "description": _("An individual's title or affiliation (full names only)."),
            },
            "org_type": {"enum": [*(t.value for t in OrgType), None]},
            "org_type_label": NULLABLE_STRING,
            "by_and_for": {
                "type": ["boolean", "null"],
                "description": _("Organizations: run by and for people who use drugs."),
            },
            "city": NULLABLE_STRING,
            "province": {"enum": [p.value for p in Province]},
            "province_label": {"type": "string"},
            "website": {"type": ["string", "null"], "format": "uri"},
            "about": NULLABLE_STRING,
            "about_lang": {"enum": ["en", "fr", None]},
            "contact": {
                "oneOf": [
                    {"type": "null"},
                    _object({"name": {"type": "string"}, "title": NULLABLE_STRING}),
                ],
                "description": _("Only when the organization agreed to list its contact person."),
            },
            "endorsed_on": {"type": ["string", "null"], "format": "date"},
        },
        _("One endorser, as the public list shows them."),
    )
    return {
        "Platform": _object(platform),
        "PlatformList": _object({"data": {"type": "array", "items": _ref("Platform")}}),
        "PlatformDetail": _object(
            {
                **platform,
                "lang": {"enum": ["en", "fr"]},
                "by_province": {
                    "type": ["array", "null"],
                    "items": province_count,
                    "description": _(
                        "Listed endorsers per province or territory (null before "
                        "the list is published)."
                    ),
                },
            }
        ),
        "Endorser": endorser,
        "EndorserPage": _object(
            {
                "platform": {"type": "string"},
                "lang": {"enum": ["en", "fr"]},
                "published": {"type": "boolean"},
                "publishes_at": DATE_TIME,
                "filters": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": _(
                        "The filters applied (invalid ones are refused, not ignored)."
                    ),
                },
                "sort": {"enum": [s.value for s in services.Sort]},
                "total": {
                    "type": ["integer", "null"],
                    "minimum": 0,
                    "description": _("Listed endorsers matching the filters, on every page."),
                },
                "data": {"type": "array", "items": _ref("Endorser")},
                "next_cursor": NULLABLE_STRING,
                "links": _object({"self": URL, "next": {"type": ["string", "null"]}}),
            }
        ),
        "Error": _object(
            {
                "error": {
                    "type": "object",
                    "properties": {
                        "status": {"type": "integer"},
                        "title": {"type": "string"},
                        "message": {"type": "string"},
                        "lang": {"enum": ["en", "fr"]},
                        "fields": {
                            "type": "object",
                            "additionalProperties": {"type": "string"},
                            "description": _("What is wrong with each query parameter."),
                        },
                    },
                    "required": ["status", "title", "message", "lang"],
                    "additionalProperties": False,
                }
            }
        ),
    }


def _query(name: str, description: str, schema: dict) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _parameters() -> dict:
    return {
        "slug": {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
        "lang": _query(
            "lang",
            _("Language of names, labels and messages (without it: the browser's)."),
            {"enum": ["en", "fr"]},
        ),
        "q": _query(
            "q",
            _('Words to find in names, ignoring case and accents ("reseau" finds "Réseau").'),
            {"type": "string", "maxLength": 100},
        ),
        "province": _query(
            "province", _("Province or territory."), {"enum": [p.value for p in Province]}
        ),
        "org_type": _query(
            "org_type",
            _("Type of organization (organizations only)."),
            {"enum": [t.value for t in OrgType]},
        ),
        "by_and_for": _query(
            "by_and_for",
            _("1: only organizations run by and for people who use drugs."),
            {"enum": ["0", "1"]},
        ),
        "kind": _query(
            "kind", _("Organizations or individuals."), {"enum": [k.value for k in EndorsementKind]}
        ),
        "sort": _query(
            "sort",
            _("name: by name in the chosen language; date: most recently endorsed first."),
            {"enum": [s.value for s in services.Sort], "default": "name"},
        ),
        "limit": _query(
            "limit",
            _("Endorsers per response."),
            {
                "type": "integer",
                "minimum": 1,
                "maximum": services.API_MAX_LIMIT,
                "default": services.PAGE_SIZE,
            },
        ),
        "cursor": _query(
            "cursor", _("The next_cursor of the previous response, to read on."), {"type": "string"}
        ),
    }


def _response(description: str, schema: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def document(server_url: str) -> dict:
    """Return the OpenAPI document, with `server_url` (…/api/v1) as its server."""
    not_found = _response(_("No public platform has this slug."), "Error")
    filters = ["lang", "q", "province", "org_type", "by_and_for", "kind", "sort", "limit", "cursor"]
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": _("Platform sign-on: open data"),
            "version": "1.0.0",
            "description": _(
                "Read-only data about published platforms and their public endorsers: exactly "
                "what the public list shows. Email addresses, contact details that were not "
                "made public and endorsements not yet reviewed are never included. Any site "
                "may call it from a browser (CORS is open for GET). Every response, errors "
                "included, is in the language asked for with lang, else the browser's "
                "(Accept-Language)."
            ),
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/platforms": {
                "get": {
                    "operationId": "listPlatforms",
                    "summary": _("Published platforms, with their endorsement counts."),
                    "responses": {"200": _response(_("The platforms."), "PlatformList")},
                }
            },
            "/platforms/{slug}": {
                "get": {
                    "operationId": "getPlatform",
                    "summary": _("One platform, with counts per province or territory."),
                    "parameters": [_ref_parameter("slug"), _ref_parameter("lang")],
                    "responses": {
                        "200": _response(_("The platform."), "PlatformDetail"),
                        "404": not_found,
                    },
                }
            },
            "/platforms/{slug}/endorsers": {
                "get": {
                    "operationId": "listEndorsers",
                    "summary": _("The platform's public endorsers, filtered, a page at a time."),
                    "parameters": [_ref_parameter("slug")] + [_ref_parameter(n) for n in filters],
                    "responses": {
                        "200": _response(_("A page of endorsers."), "EndorserPage"),
                        "400": _response(_("A parameter is not valid."), "Error"),
                        "404": not_found,
                    },
                }
            },
        },
        "components": {"schemas": _schemas(), "parameters": _parameters()},
    }


def _ref_parameter(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}

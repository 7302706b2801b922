"""The app's URL map as test cases: every rule, filled with values that exist in the database.

Tests iterate this instead of listing URLs, so routes added later are covered without edits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from werkzeug.routing import IntegerConverter, Rule

from petition import create_app
from petition.accounts.access import ACCESS_ATTR
from petition.config import settings_for_tests

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Route:
    rule: str
    endpoint: str
    methods: frozenset[str]
    arguments: frozenset[str]
    int_arguments: frozenset[str]
    access: str | None  # "public", "moderator", "admin" for admin views; None elsewhere
    frameable: bool
    werkzeug_rule: Rule = field(compare=False, repr=False)

    @property
    def is_admin(self) -> bool:
        return self.rule == "/admin" or self.rule.startswith("/admin/")

    @property
    def is_static(self) -> bool:
        return self.endpoint == "static" or self.endpoint.endswith(".static")

    @property
    def changes_state(self) -> bool:
        return bool(self.methods - SAFE_METHODS)

    @property
    def id(self) -> str:
        return f"{'/'.join(sorted(self.methods - {'HEAD', 'OPTIONS'}))} {self.rule}"

    def url(self, values: dict[str, object]) -> str:
        """Build this route's path from `values` (name -> value); unknown arguments get 1."""
        filled = {}
        for name in self.arguments:
            if name in values:
                filled[name] = values[name]
            elif name in self.int_arguments:
                filled[name] = 1
            else:
                filled[name] = "1"
        built = self.werkzeug_rule.build(filled, append_unknown=False)
        assert built is not None, f"cannot build {self.rule} from {filled}"
        return built[1]


_app = None


def app_for_routes():
    """An app built only to read its URL map (building one opens nothing)."""
    global _app
    if _app is None:
        _app = create_app(settings_for_tests("sqlite://"))
    return _app


def routes(app=None) -> list[Route]:
    """Return every route of the app's URL map, sorted by rule."""
    app = app or app_for_routes()
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        view = app.view_functions[rule.endpoint]
        ints = {
            name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)
        }
        found.append(
            Route(
                rule=rule.rule,
                endpoint=rule.endpoint,
                methods=frozenset(rule.methods or ()),
                arguments=frozenset(rule.arguments),
                int_arguments=frozenset(ints),
                access=getattr(view, ACCESS_ATTR, None),
                frameable=bool(getattr(view, "_frameable", False)),
                werkzeug_rule=rule,
            )
        )
    return found


def public_get_routes(app=None) -> list[Route]:
    """Every GET route outside the admin area (static files left out)."""
    return [r for r in routes(app) if "GET" in r.methods and not r.is_admin and not r.is_static]


def state_changing_routes(app=None) -> list[Route]:
    return [r for r in routes(app) if r.changes_state]

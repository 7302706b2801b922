"""What a person does in a page: type into labelled fields, move through it with the keyboard."""

from __future__ import annotations

# Describe the focused element for assertion messages and the focus-visibility check.
_FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim();
    return {
        tag: el.tagName.toLowerCase(),
        id: el.id,
        classes: el.className && typeof el.className === 'string' ? el.className : '',
        href: el.getAttribute('href'),
        text: text.slice(0, 60),
        outlineStyle: style.outlineStyle,
        outlineWidth: parseFloat(style.outlineWidth) || 0,
        boxShadow: style.boxShadow,
    };
}"""


def fill_by_label(page, label: str, value: str, exact: bool = True) -> None:
    """Fill the field whose label is `label` (a select gets the option with that label)."""
    field = page.get_by_label(label, exact=exact)
    if field.evaluate("el => el.tagName") == "SELECT":
        field.select_option(label=value)
    else:
        field.fill(value)


def check_by_label(page, label: str, exact: bool = True) -> None:
    """Tick the checkbox or choose the radio button whose label is `label`."""
    page.get_by_label(label, exact=exact).check()


def focused(page) -> dict | None:
    """Describe the element that has keyboard focus (None when focus is on the page itself)."""
    return page.evaluate(_FOCUSED)


def describe(element: dict | None) -> str:
    """Return a short human description of an element returned by `focused`."""
    if element is None:
        return "<body>"
    ident = f"#{element['id']}" if element["id"] else ""
    classes = "".join(f".{c}" for c in element["classes"].split())
    return f"<{element['tag']}{ident}{classes}> {element['text']!r}"


def tab_until(page, selector: str, max_tabs: int = 50, key: str = "Tab") -> int:
    """Press Tab until the element matching `selector` has focus; return how many presses."""
    visited = []
    for presses in range(1, max_tabs + 1):
        page.keyboard.press(key)
        if page.evaluate("s => !!document.activeElement?.matches(s)", selector):
            return presses
        visited.append(describe(focused(page)))
    raise AssertionError(
        f"{selector} not focused after {max_tabs} x {key}; focus went to: {visited}"
    )


def tab_through(page, max_tabs: int = 200) -> list[dict]:
    """Tab from the top of the page until focus leaves it; return each focused element."""
    seen: list[dict] = []
    for _ in range(max_tabs):
        page.keyboard.press("Tab")
        element = focused(page)
        if element is None or (seen and element == seen[0]):
            return seen
        seen.append(element)
    raise AssertionError(f"focus never left the page after {max_tabs} tabs (a keyboard trap?)")


def focus_is_visible(element: dict) -> bool:
    """Say whether a focused element (from `focused`) shows a focus ring."""
    has_outline = element["outlineStyle"] != "none" and element["outlineWidth"] > 0
    return has_outline or element["boxShadow"] not in ("", "none")


def tab_to_label(page, label: str, key: str = "Tab", exact: bool = True, max_tabs: int = 50) -> int:
    """Press Tab (or `key`, e.g. "Shift+Tab") until the field labelled `label` has focus."""
    field = page.get_by_label(label, exact=exact)
    field_id = field.get_attribute("id")
    assert field_id, f"the field labelled {label!r} has no id to tab to"
    return tab_until(page, f"[id='{field_id}']", max_tabs=max_tabs, key=key)


def tab_to_role(page, role: str, name: str, key: str = "Tab", max_tabs: int = 80) -> int:
    """Press Tab (or `key`) until the link or button named `name` has focus."""
    target = page.get_by_role(role, name=name, exact=True)
    assert target.count() == 1, f"{target.count()} {role}s named {name!r}"
    visited = []
    for presses in range(1, max_tabs + 1):
        page.keyboard.press(key)
        if target.evaluate("el => el === document.activeElement"):
            return presses
        visited.append(describe(focused(page)))
    raise AssertionError(
        f"the {role} {name!r} was not focused after {max_tabs} x {key}; focus went to: {visited}"
    )

"""Share cards: an Open Graph PNG per platform and language, renamed when the count changes."""

from __future__ import annotations

import io
import re

from PIL import Image

from petition.extensions import db
from petition.logos.storage import LocalStore
from tests.logos import test_wall

# The logo wall's fixtures: a platform with by-and-for, founding and other organizations.
app = test_wall.app
world = test_wall.world
_org = test_wall._org


def card_url(client, lang: str) -> str:
    body = client.get(f"/{lang}/p/drug-policy/").get_data(True)
    [url] = re.findall(r'<meta property="og:image" content="([^"]+)">', body)
    assert '<meta property="og:image:width" content="1200">' in body
    assert '<meta name="twitter:card" content="summary_large_image">' in body
    return url


def test_the_share_image_is_a_png_of_open_graph_size_in_each_language(client, world):
    urls = {lang: card_url(client, lang) for lang in ("en", "fr")}
    assert urls["en"] != urls["fr"]
    for lang, url in urls.items():
        assert url.startswith(f"https://petition.test/{lang}/p/drug-policy/card.png?v=")
        response = client.get(url.removeprefix("https://petition.test"))
        assert response.status_code == 200
        assert response.mimetype == "image/png"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        image = Image.open(io.BytesIO(response.data))
        assert (image.format, image.size) == ("PNG", (1200, 630))


def test_a_new_endorsement_is_a_new_card_drawn_once_for_every_process(app, client, world):
    before = card_url(client, "en")
    with app.app_context():
        from petition.platforms.models import Platform

        _org(db.session.scalar(db.select(Platform)), "Newcomer Harm Reduction Hub")
        db.session.commit()
    after = card_url(client, "en")
    assert after != before
    client.get(after.removeprefix("https://petition.test"))
    # Kept under its key in MEDIA_ROOT: another process asked for the same card finds it.
    key = after.rsplit("v=", 1)[1]
    kept = list((LocalStore(app.config["MEDIA_ROOT"], "cards").root / "cards").rglob(f"{key}*"))
    assert len(kept) == 1
    same = client.get(after.removeprefix("https://petition.test")).data
    assert same == kept[0].read_bytes()


def test_the_endorser_list_and_share_page_name_the_card_too(client, world):
    for path in ("/en/p/drug-policy/endorsers", "/fr/p/drug-policy/share"):
        assert 'property="og:image"' in client.get(path).get_data(True)

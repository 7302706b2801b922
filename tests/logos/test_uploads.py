"""Logos given while signing on or from the manage link: cleaned, kept by hash, or refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from petition.endorsements.models import Endorsement, EndorsementStatus
from petition.extensions import db
from petition.logos.models import LogoStatus, OrganizationLogo
from petition.logos.storage import LocalStore
from tests.logos import samples
from tests.pages import csrf_token, text
from tests.signon import link_to
from tests.signon import sign as sign_urlencoded


def upload(data: bytes, name: str = "logo.png") -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name, name="logo")


def post_multipart(client, path: str, data: dict):
    """POST `data` as multipart/form-data, encoded in memory.

    (The test client spools a body over 500 KB to a temporary file it never closes.)
    """
    boundary, body = encode_multipart(MultiDict(data))
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def sign(client, slug: str, lang: str = "en", **fields):
    """Sign on as an organization through the form, sending it as a browser would (multipart)."""

    class Recorder:
        def get(self, path):
            return client.get(path)

        def post(self, path, data):
            return post_multipart(client, path, data)

    return sign_urlencoded(Recorder(), slug, "organization", lang, **fields)


def logo_rows(app) -> list[OrganizationLogo]:
    with app.app_context():
        rows = list(db.session.scalars(select(OrganizationLogo)))
        db.session.expunge_all()
        return rows


def stored(app, digest: str) -> bytes:
    data = LocalStore(app.config["MEDIA_ROOT"]).get(digest)
    assert data is not None
    return data


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (samples.png(Author="Fictional Designer", Comment="made with love"), "logo.png"),
        (samples.jpeg_with_exif(), "logo.jpg"),
        (samples.webp(), "logo.webp"),
        (samples.polyglot(), "logo.png"),
    ],
    ids=["png", "jpeg-with-exif", "webp", "png-html-polyglot"],
)
def test_each_raster_format_is_re_encoded_without_metadata(app, client, platform, data, name):
    response = sign(client, platform, logo=upload(data, name))
    assert response.status_code == 303
    [row] = logo_rows(app)
    assert row.status == LogoStatus.PENDING
    kept = stored(app, row.digest)
    # A PNG of the picture alone: no text chunks, no EXIF, nothing after the image.
    assert kept.startswith(b"\x89PNG\r\n\x1a\n") and kept.endswith(b"IEND\xaeB`\x82")
    for leftover in (b"Fictional", b"Exif", b"tEXt", b"iTXt", b"eXIf", b"<script", b"<html"):
        assert leftover not in kept
    image = Image.open(io.BytesIO(kept))
    assert not image.getexif()
    assert (image.width, image.height) == (row.width, row.height)
    assert max(image.size) <= 512
    assert Path(app.config["MEDIA_ROOT"]).resolve() not in Path(__file__).resolve().parents


def test_the_jpeg_orientation_is_applied_before_exif_goes(app, client, platform):
    sign(client, platform, logo=upload(samples.jpeg_with_exif((400, 300)), "photo.jpg"))
    [row] = logo_rows(app)
    # Orientation 6 says "turn a quarter": the stored logo stands upright.
    assert (row.width, row.height) == (300, 400)


def test_a_large_logo_is_bounded(app, client, platform):
    sign(client, platform, logo=upload(samples.png((2000, 1000))))
    [row] = logo_rows(app)
    assert (row.width, row.height) == (512, 256)


REFUSALS = {
    "bomb": (
        samples.bomb(),
        "logo.png",
        "This image is too large. Use one of at most 4000 by 4000 pixels.",
        "Cette image est trop grande. Utilisez-en une d'au plus 4000 sur 4000 pixels.",
    ),
    "svg-with-script": (
        samples.svg_with_script(),
        "logo.svg",
        "SVG files cannot be used. Save the logo as PNG, JPEG or WebP and choose that file.",
        "Les fichiers SVG ne peuvent pas être utilisés. Enregistrez le logo en PNG, JPEG ou "
        "WebP et choisissez ce fichier.",
    ),
    "svg-named-png": (
        samples.svg_with_script(),
        "logo.png",
        "SVG files cannot be used. Save the logo as PNG, JPEG or WebP and choose that file.",
        "Les fichiers SVG ne peuvent pas être utilisés. Enregistrez le logo en PNG, JPEG ou "
        "WebP et choisissez ce fichier.",
    ),
    "html-named-png": (
        samples.html_named_png(),
        "logo.png",
        "This file is not a PNG, JPEG or WebP image.",
        "Ce fichier n'est pas une image PNG, JPEG ou WebP.",
    ),
    "truncated-png": (
        samples.png()[:200],
        "logo.png",
        "This image could not be read. Save it again as PNG or JPEG and choose that file.",
        "Cette image n'a pas pu être lue. Enregistrez-la de nouveau en PNG ou JPEG et "
        "choisissez ce fichier.",
    ),
    "oversized": (
        samples.oversized(),
        "logo.png",
        "This file is larger than 2 MB. Choose a smaller image.",
        "Ce fichier dépasse 2\u00a0Mo. Choisissez une image plus petite.",
    ),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_refused_file_gets_a_message_in_the_page_language_and_nothing_is_kept(
    app, client, platform, case, lang
):
    data, name, english, french = REFUSALS[case]
    response = sign(client, platform, lang=lang, logo=upload(data, name))
    assert response.status_code == 422
    page = text(response)
    assert (english if lang == "en" else french) in page
    assert 'id="logo-error"' in response.get_data(True)
    with app.app_context():
        assert db.session.scalar(select(Endorsement)) is None
    assert logo_rows(app) == []


def test_a_form_without_its_file_field_signs_on_without_a_logo(app, client, platform):
    # A browser (or a script) may leave the file part out, or send it as a plain value.
    assert sign(client, platform).status_code == 303
    assert sign(client, platform, email="b@example.org", logo="not a file").status_code == 303
    assert sign(client, platform, email="c@example.org", logo=upload(b"", "")).status_code == 303
    assert logo_rows(app) == []


def test_the_upload_needs_the_csrf_token(app, client, platform):
    response = sign(client, platform, csrf_token="forged", logo=upload(samples.png()))
    assert response.status_code == 400
    assert logo_rows(app) == []


def test_a_sign_on_in_a_confirmed_address_name_leaves_its_logo_alone(app, client, platform):
    with app.app_context():
        sign(client, platform)
        row = db.session.scalar(select(Endorsement))
        row.status = EndorsementStatus.APPROVED
        db.session.commit()
    # Someone else signs with the same address and a logo of their own: it goes nowhere
    # (the mailbox owner gets the usual "already endorsed" email).
    assert sign(client, platform, logo=upload(samples.png())).status_code == 303
    assert logo_rows(app) == []


@pytest.fixture
def manage_path(app, client, platform, deliver):
    """Sign on as an organization with a logo, confirm, and return the emailed manage link."""
    sign(client, platform, logo=upload(samples.png()))
    [mail] = deliver()
    page = client.get(link_to(mail, "/confirm/"))
    client.post(link_to(mail, "/confirm/"), data={"csrf_token": csrf_token(page)})
    [receipt] = deliver()
    return link_to(receipt, "/manage/")


def test_a_new_logo_from_the_manage_link_goes_back_to_review(app, client, manage_path):
    with app.app_context():
        row = db.session.scalar(select(OrganizationLogo))
        row.status = LogoStatus.APPROVED
        db.session.scalar(select(Endorsement)).status = EndorsementStatus.APPROVED
        db.session.commit()
    page = client.get(manage_path)
    assert "Your logo is approved" in text(page)
    response = post_multipart(
        client,
        manage_path + "/logo",
        {"csrf_token": csrf_token(page), "logo": upload(samples.webp(), "new.webp")},
    )
    assert response.status_code == 303
    [row] = logo_rows(app)
    assert row.status == LogoStatus.PENDING
    assert "awaits the coalition's approval" in text(client.get(manage_path))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_refused_logo_from_the_manage_link_changes_nothing(app, client, manage_path, lang):
    [before] = logo_rows(app)
    path = manage_path.replace("/en/", f"/{lang}/")
    page = client.get(path)
    response = post_multipart(
        client,
        path + "/logo",
        {"csrf_token": csrf_token(page), "logo": upload(samples.svg_with_script(), "a.svg")},
    )
    assert response.status_code == 422
    assert ("SVG files cannot be used" if lang == "en" else "Les fichiers SVG") in text(response)
    response = post_multipart(client, path + "/logo", {"csrf_token": csrf_token(page)})
    assert response.status_code == 422
    assert ("Choose an image file." if lang == "en" else "Choisissez un fichier image.") in text(
        response
    )
    [after] = logo_rows(app)
    assert (after.digest, after.status) == (before.digest, before.status)


def test_the_signer_can_remove_the_logo(app, client, manage_path):
    page = client.get(manage_path)
    response = client.post(manage_path + "/logo/remove", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert logo_rows(app) == []
    assert "its initials are shown instead" in text(client.get(manage_path))


def test_prune_media_deletes_files_no_row_names_once_they_are_old(app, client, manage_path):
    import os
    import time

    from petition.logos.images import clean

    [kept] = logo_rows(app)
    store = LocalStore(app.config["MEDIA_ROOT"])
    orphan = clean(samples.png((333, 111)))
    store.put(orphan.digest, orphan.png)
    runner = app.test_cli_runner()
    # Young: it may be an upload whose row is not committed yet.
    assert "Deleted 0 unused logo files" in runner.invoke(args=["petition", "prune-media"]).output
    old = time.time() - 7200
    for digest in (orphan.digest, kept.digest):
        path = store._path(digest)
        os.utime(path, (old, old))
    assert "Deleted 1 unused logo files" in runner.invoke(args=["petition", "prune-media"]).output
    assert store.get(orphan.digest) is None
    assert store.get(kept.digest) is not None

"""The exact wording of each consent, versioned: what a signer agreed to is kept verbatim.

Change a wording only together with its version, so stored consents stay interpretable.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString, force_locale

from ..i18n import _l
from .models import Consent, ConsentPurpose, EndorsementKind


@dataclass(frozen=True)
class Wording:
    version: str
    text: LazyString


WORDINGS: dict[tuple[EndorsementKind, ConsentPurpose], Wording] = {
    (EndorsementKind.ORGANIZATION, ConsentPurpose.AUTHORITY): Wording(
        "org-authority-1",
        _l("I am authorized to endorse this platform on behalf of the organization."),
    ),
    (EndorsementKind.ORGANIZATION, ConsentPurpose.PUBLIC_LISTING): Wording(
        "org-listing-1",
        _l(
            "I agree that the organization's name, type, city, province or territory, website "
            "and description will be listed publicly as an endorser of this platform."
        ),
    ),
    (EndorsementKind.INDIVIDUAL, ConsentPurpose.PUBLIC_LISTING): Wording(
        "ind-listing-1",
        _l(
            "I agree to be listed publicly as an endorser in the way I chose above. I can "
            "change this or withdraw at any time with the link I will receive by email."
        ),
    ),
    (EndorsementKind.ORGANIZATION, ConsentPurpose.UPDATES): Wording(
        # 2: the French wording has its no-break space before ";".
        "updates-2",
        _l(
            "Send me occasional updates about this campaign by email (optional; you can stop "
            "them at any time)."
        ),
    ),
    (EndorsementKind.INDIVIDUAL, ConsentPurpose.UPDATES): Wording(
        # 2: the French wording has its no-break space before ";".
        "updates-2",
        _l(
            "Send me occasional updates about this campaign by email (optional; you can stop "
            "them at any time)."
        ),
    ),
}


def wording(kind: EndorsementKind, purpose: ConsentPurpose) -> Wording:
    return WORDINGS[(kind, purpose)]


def record(kind: EndorsementKind, purpose: ConsentPurpose, locale: str) -> Consent:
    """Return a consent record holding the exact words the signer saw, in their language."""
    chosen = wording(kind, purpose)
    with force_locale(locale):
        text = str(chosen.text)
    return Consent(purpose=purpose, wording_version=chosen.version, wording=text, locale=locale)


# Consents carried over from a coalition's earlier sign-on form (see importing.py): we do not
# have the words that form showed, so the record says where the consent was given.
IMPORTED = Wording("import-1", _l("Consented through the coalition's earlier sign-on form"))

"""Translated names for endorsement values (types, provinces, display choices, statuses)."""

from ..i18n import _l
from .models import (
    ConsentPurpose,
    DisplayMode,
    EndorsementKind,
    EndorsementStatus,
    OrgType,
    Province,
)

ORG_TYPE_LABELS = {
    OrgType.DRUG_USER_GROUP: _l("Group of people who use drugs"),
    OrgType.HARM_REDUCTION: _l("Harm-reduction service"),
    OrgType.LEGAL: _l("Legal or human-rights organization"),
    OrgType.HEALTH: _l("Health or medical organization"),
    OrgType.RESEARCH: _l("Research or academic group"),
    OrgType.COMMUNITY: _l("Community organization"),
    OrgType.FAITH: _l("Faith community"),
    OrgType.UNION: _l("Union"),
    OrgType.OTHER: _l("Other"),
}

PROVINCE_LABELS = {
    Province.AB: _l("Alberta"),
    Province.BC: _l("British Columbia"),
    Province.MB: _l("Manitoba"),
    Province.NB: _l("New Brunswick"),
    Province.NL: _l("Newfoundland and Labrador"),
    Province.NS: _l("Nova Scotia"),
    Province.NT: _l("Northwest Territories"),
    Province.NU: _l("Nunavut"),
    Province.ON: _l("Ontario"),
    Province.PE: _l("Prince Edward Island"),
    Province.QC: _l("Quebec"),
    Province.SK: _l("Saskatchewan"),
    Province.YT: _l("Yukon"),
    Province.OUTSIDE: _l("Outside Canada"),
}

DISPLAY_MODE_LABELS = {
    DisplayMode.FULL_NAME: _l("My full name"),
    DisplayMode.FIRST_INITIAL: _l("My first name and the initial of my last name"),
    DisplayMode.DESCRIPTOR: _l("A description of me, with my city (no name)"),
    DisplayMode.COUNTED_ONLY: _l("Do not list me: only count my endorsement"),
}

KIND_LABELS = {
    EndorsementKind.ORGANIZATION: _l("Organization"),
    EndorsementKind.INDIVIDUAL: _l("Individual"),
}

STATUS_LABELS = {
    EndorsementStatus.UNVERIFIED: _l("Email not yet confirmed"),
    EndorsementStatus.PENDING_REVIEW: _l("Waiting for review"),
    EndorsementStatus.APPROVED: _l("Listed publicly"),
    EndorsementStatus.REJECTED: _l("Not accepted"),
    EndorsementStatus.HIDDEN: _l("Not currently listed"),
    EndorsementStatus.WITHDRAWN: _l("Withdrawn"),
}


CONSENT_LABELS = {
    ConsentPurpose.PUBLIC_LISTING: _l("Public listing"),
    ConsentPurpose.AUTHORITY: _l("Authorized to endorse for the organization"),
    ConsentPurpose.UPDATES: _l("Campaign updates by email"),
}


# Column headings for counts of each kind of endorsement.
KIND_PLURAL_LABELS = {
    EndorsementKind.ORGANIZATION: _l("Organizations"),
    EndorsementKind.INDIVIDUAL: _l("Individuals"),
}


# Where an endorsement came from.
SOURCE_LABELS = {
    "form": _l("Sign-on form"),
    "import": _l("Imported from a file"),
}

# A signer's language, named in the reader's language.
LOCALE_LABELS = {
    "en": _l("English"),
    "fr": _l("French"),
}

# Marks the sign-on form puts on submissions that look automated.
SIGNON_FLAG_LABELS = {
    "honeypot": _l("Filled in the hidden field that only automated forms complete"),
    "too_fast": _l("Submitted faster than a person can fill in the form"),
    "rate_limited": _l("Over the sign-on limit for one network"),
    "blocked": _l("Matched a block list: never emailed"),
}

"""Reading values tolerantly: provinces, organization types and yes/no in either language."""

from __future__ import annotations

import re

from flask_babel import force_locale

from ...i18n import LANGUAGES
from .. import naming
from ..labels import ORG_TYPE_LABELS, PROVINCE_LABELS
from ..models import (
    OrgType,
    Province,
)
from .fields import _NO, _YES, _first_word, compact

_PROVINCE_ALIASES: dict[Province, tuple[str, ...]] = {
    Province.AB: ("Alta", "Alb"),
    Province.BC: ("C.-B.", "Colombie Britannique"),
    Province.MB: ("Man",),
    Province.NB: ("N.-B.",),
    Province.NL: ("Nfld", "Newfoundland", "T.-N.-L.", "Terre-Neuve", "NF"),
    Province.NS: ("N.-É.", "N.É."),
    Province.NT: ("NWT", "T.N.-O.", "TNO", "Northwest Territory"),
    Province.NU: ("Nvt",),
    Province.ON: ("Ont",),
    Province.PE: ("PEI", "P.E.I.", "Î.-P.-É.", "IPE", "PEI Island"),
    Province.QC: ("Que", "PQ", "Province de Québec"),
    Province.SK: ("Sask",),
    Province.YT: ("Yuk", "Yukon Territory", "YK"),
    Province.OUTSIDE: ("Outside", "Outside of Canada", "Hors Canada", "International"),
}


_ORG_TYPE_ALIASES: dict[OrgType, tuple[str, ...]] = {
    OrgType.DRUG_USER_GROUP: ("Drug user group", "Groupe de personnes qui consomment"),
    OrgType.HARM_REDUCTION: ("Harm reduction service", "Harm reduction"),
    OrgType.LEGAL: ("Legal / human rights organization", "Legal", "Human rights"),
    OrgType.HEALTH: ("Health / medical organization", "Health", "Organisme de santé"),
    OrgType.RESEARCH: ("Research / academic", "Research", "Academic", "Recherche"),
    OrgType.COMMUNITY: ("Community", "Communautaire"),
    OrgType.FAITH: ("Faith", "Faith group", "Religious organization"),
    OrgType.UNION: ("Labour union", "Trade union"),
    OrgType.OTHER: (),
}


# Words that name a type inside a longer description, tried in this order (a "harm-reduction
# service for people who use drugs" is a harm-reduction service, not a group of users).
_ORG_TYPE_WORDS: tuple[tuple[OrgType, tuple[str, ...]], ...] = (
    (OrgType.HARM_REDUCTION, ("harm reduction", "reduction des mefaits", "reduction des risques")),
    (
        OrgType.DRUG_USER_GROUP,
        ("drug user", "people who use drugs", "qui consomment", "usager", "consommateur"),
    ),
    (OrgType.LEGAL, ("legal", "human rights", "juridique", "droits", "avocat", "lawyer")),
    (OrgType.RESEARCH, ("research", "academic", "universit", "recherche", "academique")),
    (OrgType.HEALTH, ("health", "medical", "sante", "medic", "clinic")),
    (OrgType.UNION, ("union", "syndicat")),
    (OrgType.FAITH, ("faith", "church", "religi", "foi", "eglise", "confessionn")),
    (OrgType.COMMUNITY, ("community", "communautaire", "communaute")),
    (OrgType.OTHER, ("other", "autre")),
)


def _labels_in_both_languages(labels: dict) -> dict[str, object]:
    table = {}
    for locale in LANGUAGES:
        with force_locale(locale):
            table.update({compact(str(label)): value for value, label in labels.items()})
    return table


def default_provinces() -> dict[str, Province]:
    """Return the province look-up table: codes, English and French names, common forms."""
    table: dict[str, Province] = _labels_in_both_languages(PROVINCE_LABELS)  # type: ignore[assignment]
    for province in Province:
        table[compact(province.value)] = province
        table.update({compact(alias): province for alias in _PROVINCE_ALIASES[province]})
    return table


def default_org_types() -> dict[str, OrgType]:
    """Return the organization-type look-up table: our labels in both languages, and more."""
    table: dict[str, OrgType] = _labels_in_both_languages(ORG_TYPE_LABELS)  # type: ignore[assignment]
    for org_type in OrgType:
        table[compact(org_type.value)] = org_type
        table.update({compact(alias): org_type for alias in _ORG_TYPE_ALIASES[org_type]})
    return table


def _org_type_from_words(text: str) -> OrgType | None:
    folded = naming.fold(text)
    for org_type, words in _ORG_TYPE_WORDS:
        if any(re.search(r"\b" + re.escape(word), folded) for word in words):
            return org_type
    return None


def _answer(text: str) -> bool | None:
    """Read a yes/no answer in English or French; None when it is neither."""
    word = _first_word(text)
    if not word:
        return False
    if word in _YES:
        return True
    if word in _NO:
        return False
    return None

"""Demo content: a fictional coalition's platform in English and French.

Everything here is invented: no real organization is presented as an author or endorser.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..extensions import db
from .models import Platform, PlatformStatus, PlatformText, Resource, ResourceKind

DEMO_SLUG = "decriminalization-with-dignity"

BODY_EN = """\
This platform was written over eighteen months by the member groups of the fictional
**Coast to Coast Drug Policy Coalition**: groups of people who use drugs, harm-reduction
services, legal clinics and researchers. It sets out what a rights-based end to the
criminalization of people who use drugs must include. Nothing about us without us.

## Why now

Every week, families across the country lose someone to an unregulated, toxic drug supply.
Criminal penalties push people to use alone, keep them from services and leave them with
records that follow them for life. Decriminalization that is designed by police, or that
replaces charges with new penalties, repeats the same harms under another name.

## Our recommendations

1. **Repeal the criminal offence of simple possession** for all drugs, without replacing it
   with fines, mandatory treatment or administrative penalties.
2. **Set possession thresholds with people who use drugs**, based on how people actually buy
   and use, and never as a tool to charge them.
3. **Recognize necessity sharing and selling**: people who share or sell small amounts to
   support their own use or keep others safe must not be treated as traffickers.
4. **Expunge past records** for possession and related offences, automatically and at no cost.
5. **Fund peer-led services** and pay people with lived and living experience fairly for
   their expertise.
6. **Scale up a safer supply** of regulated drugs, including models run by people who use
   drugs, so no one depends on an unpredictable market.
7. **Redirect enforcement budgets** to housing, income support, health care and harm
   reduction, with communities most harmed deciding priorities.
8. **Guarantee a seat at the table**: people who use drugs must be full partners in designing,
   carrying out and evaluating every part of this reform.

## How to endorse

Organizations of every kind, and individuals, can endorse this platform. Each endorsement is
confirmed by email and reviewed by the coalition before it is listed publicly.
"""

BODY_FR = """\
Cette plateforme a été rédigée pendant dix-huit mois par les groupes membres de la
**Coalition d'un océan à l'autre pour des politiques sur les drogues** (organisme fictif) :
groupes de personnes qui consomment des drogues, services de réduction des méfaits,
cliniques juridiques et équipes de recherche. Elle énonce ce que doit comprendre une fin de
la criminalisation des personnes qui consomment, fondée sur les droits. Rien sur nous sans nous.

## Pourquoi maintenant

Chaque semaine, des familles de partout au pays perdent un proche à cause d'un
approvisionnement en drogues non réglementé et toxique. Les sanctions pénales poussent les
gens à consommer seuls, les éloignent des services et leur laissent un casier qui les suit
toute leur vie. Une décriminalisation conçue par la police, ou qui remplace les accusations
par de nouvelles sanctions, reproduit les mêmes torts sous un autre nom.

## Nos recommandations

1. **Abroger l'infraction criminelle de possession simple** pour toutes les drogues, sans la
   remplacer par des amendes, un traitement obligatoire ou des sanctions administratives.
2. **Fixer les seuils de possession avec les personnes qui consomment**, selon la façon dont
   les gens achètent et consomment réellement, et jamais comme outil d'accusation.
3. **Reconnaître le partage et la vente de nécessité** : les personnes qui partagent ou
   vendent de petites quantités pour soutenir leur propre consommation ou protéger d'autres
   personnes ne doivent pas être traitées comme des trafiquants.
4. **Effacer les casiers judiciaires** liés à la possession et aux infractions connexes,
   automatiquement et sans frais.
5. **Financer les services menés par les pairs** et rémunérer équitablement l'expertise des
   personnes ayant une expérience vécue ou actuelle.
6. **Élargir l'approvisionnement plus sécuritaire** en drogues réglementées, y compris des
   modèles gérés par des personnes qui consomment, pour que personne ne dépende d'un marché
   imprévisible.
7. **Réaffecter les budgets de répression** au logement, au soutien du revenu, aux soins de
   santé et à la réduction des méfaits, selon les priorités des communautés les plus touchées.
8. **Garantir une place à la table** : les personnes qui consomment doivent être des
   partenaires à part entière dans la conception, la mise en œuvre et l'évaluation de chaque
   volet de cette réforme.

## Comment appuyer

Les organismes de tous genres, ainsi que les particuliers, peuvent appuyer cette plateforme.
Chaque appui est confirmé par courriel et examiné par la coalition avant d'être affiché
publiquement.
"""

TEXTS = {
    "en": {
        "title": "Decriminalization with Dignity: A Community Platform for Drug Policy Reform",
        "summary": (
            "Eight recommendations from people who use drugs and their allies for ending the "
            "criminalization of drug use in Canada, on terms set by the people most affected."
        ),
        "body": BODY_EN,
    },
    "fr": {
        "title": (
            "Décriminaliser dans la dignité : une plateforme communautaire pour la réforme "
            "des politiques sur les drogues"
        ),
        "summary": (
            "Huit recommandations des personnes qui consomment des drogues et de leurs alliés "
            "pour mettre fin à la criminalisation de la consommation au Canada, selon les "
            "conditions fixées par les personnes les plus touchées."
        ),
        "body": BODY_FR,
    },
}

RESOURCES = [
    (
        ResourceKind.JOURNAL_ARTICLE,
        "https://journal.example.org/articles/thresholds-in-practice",
        date(2026, 9, 14),
        "Thresholds in practice: what people who use drugs actually carry",
        "Les seuils en pratique : ce que transportent vraiment les personnes qui consomment",
    ),
    (
        ResourceKind.REPORT,
        "https://coast-to-coast.example.org/reports/cost-of-enforcement",
        date(2026, 6, 2),
        "The cost of enforcement: a five-province review",
        "Le coût de la répression : un examen dans cinq provinces",
    ),
    (
        ResourceKind.MEDIA,
        "https://news.example.org/2026/10/city-council-votes-on-decriminalization",
        date(2026, 10, 3),
        "City council votes to ask Ottawa for a decriminalization exemption",
        "",
    ),
    (
        ResourceKind.PODCAST,
        "https://podcast.example.org/episodes/nothing-about-us",
        date(2026, 8, 20),
        "Nothing About Us: peer workers on the front line",
        "Rien sur nous : des pairs aidants en première ligne",
    ),
    (
        ResourceKind.TOOL,
        "https://coast-to-coast.example.org/tools/know-your-rights",
        date(2026, 5, 11),
        "Know your rights: a pocket guide",
        "Connaître ses droits : un guide de poche",
    ),
    (
        ResourceKind.STATEMENT,
        "https://coast-to-coast.example.org/statements/launch",
        date(2026, 11, 2),
        "Joint statement on the platform's launch",
        "Déclaration commune sur le lancement de la plateforme",
    ),
]


def load_demo_platform() -> tuple[Platform, bool]:
    """Create the demo platform unless it exists; return it and whether it was created."""
    existing = db.session.scalar(select(Platform).where(Platform.slug == DEMO_SLUG))
    if existing is not None:
        return existing, False
    platform = Platform(
        slug=DEMO_SLUG,
        status=PlatformStatus.PUBLISHED,
        version_label="1.0",
        released_on=date(2026, 11, 2),
        allow_individuals=True,
        individuals_need_review=True,
    )
    for locale, fields in TEXTS.items():
        platform.texts[locale] = PlatformText(locale=locale, **fields)
    for position, (kind, url, published_on, title_en, title_fr) in enumerate(RESOURCES):
        platform.resources.append(
            Resource(
                kind=kind,
                url=url,
                published_on=published_on,
                title_en=title_en,
                title_fr=title_fr,
                position=position,
            )
        )
    db.session.add(platform)
    db.session.flush()
    return platform, True

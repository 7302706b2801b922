"""Benchmark: import a 100,000-row sign-on export on SQLite, then import it again.

    .venv/bin/python bench/import_endorsements.py [--rows 100000] [--keep DIR]

Writes a CSV of fictional organizations shaped like a form tool's export (bilingual headings,
provinces and types spelled many ways, yes/no in both languages, about 1% duplicates and 0.5%
invalid rows), imports it into a fresh SQLite file the way `flask petition import-endorsements`
does, and prints the time of each step. The goal: well under a minute for 100,000 rows.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path

from petition import create_app
from petition.config import settings_for_tests
from petition.endorsements import importing
from petition.extensions import db
from petition.platforms.models import Platform, PlatformStatus

HEADINGS = [
    "Timestamp",
    "Email Address",
    "Organization name / Nom de l'organisme",
    "Contact person / Personne-ressource",
    "Title / Titre",
    "Province or territory / Province ou territoire",
    "City / Ville",
    "Website / Site web",
    "Organization type / Type d'organisme",
    "Run by and for people who use drugs? / Organisme par et pour les personnes qui consomment?",
    "Short description / Courte description",
    "May we list your organization publicly? / Pouvons-nous afficher votre organisme publiquement?",
    "Language / Langue",
]
PROVINCES = [
    "BC",
    "Colombie-Britannique",
    "Qc",
    "Québec",
    "NS",
    "Nouveau-Brunswick",
    "Ontario",
    "AB",
    "Manitoba",
    "Saskatchewan",
    "Yukon",
    "Nunavut",
    "NWT",
    "PEI",
    "NL",
]
TYPES = [
    "Drug user group",
    "Harm reduction service",
    "Legal / human rights organization",
    "Groupe de personnes qui consomment",
    "Organisme de santé",
    "Community organization",
    "Research / academic",
    "Union",
    "Faith community",
    "Other",
]
WORDS = [
    "Harbour",
    "Prairie",
    "Northern",
    "Riverside",
    "Valley",
    "Coastal",
    "Peer",
    "Réseau",
    "Collectif",
    "Alliance",
    "Circle",
    "Entraide",
    "Santé",
    "Voices",
    "Action",
    "Solidarité",
]


def write_file(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADINGS)
        for n in range(rows):
            if n and rng.random() < 0.01:
                n = rng.randrange(n)  # a duplicate of an earlier organization, spelled again
            french = n % 3 == 0
            name = f"{rng.choice(WORDS)} {WORDS[n % len(WORDS)]} {n}"
            email = f"contact{n}@org{n % 997}.example"
            if rng.random() < 0.005:
                email = "not-an-email"
            website = f"{'https://' if n % 2 else ''}org{n}.example"
            out.writerow(
                [
                    f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/2021 "
                    f"{rng.randint(0, 23)}:{rng.randint(10, 59)}:00",
                    email.upper() if n % 5 == 0 else email,
                    name,
                    f"Person {n}",
                    "Coordination",
                    rng.choice(PROVINCES),
                    "Ville",
                    website,
                    rng.choice(TYPES),
                    rng.choice(["Oui", "Non"] if french else ["Yes", "No"]),
                    "Une description fictive." if french else "A fictional description.",
                    rng.choice(["Oui", "Oui", "Non"] if french else ["Yes", "Yes", "No"]),
                    "Français" if french else "English",
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="Keep the CSV and database in this folder.")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="import-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "export.csv"
    database = folder / "bench.sqlite3"
    database.unlink(missing_ok=True)

    started = time.perf_counter()
    write_file(data, args.rows)
    print(
        f"wrote {args.rows} rows ({data.stat().st_size / 1e6:.1f} MB) "
        f"in {time.perf_counter() - started:.1f} s: {data}"
    )

    app = create_app(settings_for_tests(f"sqlite:///{database}"))
    with app.app_context():
        db.create_all()
        platform = Platform(slug="bench", status=PlatformStatus.PUBLISHED)
        db.session.add(platform)
        db.session.commit()
        for label, dry_run in (("dry run", True), ("import", False), ("second import", False)):
            started = time.perf_counter()
            text, encoding = importing.decode(data.read_bytes())
            report = importing.import_endorsements(
                platform, text, dry_run=dry_run, encoding=encoding
            )
            if dry_run:
                db.session.rollback()
            else:
                db.session.commit()
            elapsed = time.perf_counter() - started
            counts = {k.value: v for k, v in report.counts().items()}
            print(f"{label}: {elapsed:.1f} s  {counts}")
        db.engine.dispose()


if __name__ == "__main__":
    main()

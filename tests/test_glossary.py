"""One word per concept: docs/glossary.yml names Tandem's own terms in English and German, and no template uses a
variant it forbids. Product text never describes people by age."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
GLOSSARY = yaml.safe_load((ROOT / "docs" / "glossary.yml").read_text(encoding="utf-8"))


def _hits(patterns: list[str], files: list[Path], skip: str | None = None) -> list[str]:
    """Every match as ``file:line: 'match' (pattern)``; ``skip`` removes what it matches from each line first."""
    compiled = [re.compile(p) for p in patterns]
    found = []
    for path in files:
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            line = re.sub(skip, "", line) if skip else line
            for pattern in compiled:
                found += [f"{shown}:{number}: {m.group(0)!r} ({pattern.pattern})" for m in pattern.finditer(line)]
    return found


def test_every_term_has_both_languages() -> None:
    for term, entry in GLOSSARY.items():
        assert entry.get("en") and entry.get("de"), term
        assert set(entry.get("forbidden", {})) <= {"en", "de"}, term


@pytest.mark.parametrize("term", sorted(GLOSSARY))
def test_templates_use_the_glossary_term(term: str) -> None:
    forbidden = GLOSSARY[term].get("forbidden", {})
    found = []
    for locale, patterns in forbidden.items():
        found += _hits(patterns, sorted((TEMPLATES / locale).glob("*.j2")))
    assert not found, f"off-glossary variants of {term!r} (docs/glossary.yml):\n" + "\n".join(found)


@pytest.mark.parametrize("term", sorted(GLOSSARY))
def test_the_german_data_inventory_uses_the_glossary_term(term: str) -> None:
    """DATA.de.md (its texts are in bot/inventory_de.py) as the German templates; its index's links to a table
    (``](#pair)``) are not note tags."""
    found = _hits(GLOSSARY[term].get("forbidden", {}).get("de", []), [ROOT / "DATA.de.md"], skip=r"\]\(#\w+\)")
    assert not found, f"off-glossary variants of {term!r} (docs/glossary.yml), fix them in bot/inventory_de.py:\n" + (
        "\n".join(found)
    )


def test_the_checker_finds_a_variant_with_file_and_line(tmp_path: Path) -> None:
    sample = tmp_path / "x.j2"
    sample.write_text("Dein:e Tandem-Partner:in sieht den Stimmungscheck.\nDein Gegenüber sieht deinen Puls.\n")
    patterns = GLOSSARY["partner"]["forbidden"]["de"] + GLOSSARY["pulse"]["forbidden"]["de"]
    assert [hit.split(" (")[0] for hit in _hits(patterns, [sample])] == ["x.j2:2: 'Gegenüber'", "x.j2:2: 'Puls'"]


# -- no roles by age -------------------------------------------------------------------------------------------
AGE_WORDS = [
    r"(?i)\bjuniors?\b",
    r"(?i)\bseniors?\b",
    r"(?i)\byoung(er|est)?\b",
    r"(?i)\bold(er|est)?\s+(colleague|people|person|employee|staff|worker|generation)",
    r"(?i)\bgenerations?\b",
    r"(?i)\bgenerationen\b|\bgeneration\b",
    r"(?i)\bdigital natives?\b",
    r"(?i)\bexperienced\s+(colleague|people|person|employee|staff)",
    r"(?i)\bjung(e|er|en|es|em)?\b",
    r"(?i)\bjünger\w*",
    r"(?i)\bälter\w*\s+(Kolleg|Mitarbeit|Menschen|Person|Generation|Beschäftigt)",
    r"(?i)\bÄltere\w*\b",
    r"\bErfahrene\w*\b",
    r"(?i)\berfahrene\w*\s+(Kolleg|Mitarbeit|Menschen|Person|Beschäftigt)",
]
AGE_FILES = [
    *sorted(TEMPLATES.glob("*/*.j2")),
    ROOT / "manifest.yml",
    ROOT / "README.md",
    ROOT / "DATA.md",
    ROOT / "DATA.de.md",
]


def test_product_text_never_describes_people_by_age() -> None:
    found = _hits(AGE_WORDS, [p for p in AGE_FILES if p.exists()])
    assert not found, "words that describe people by age (say what people bring instead):\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Juniors bring digital routines", True),
        ("Jüngere bringen digitale Routinen mit, Erfahrene Kontext", True),
        ("colleagues across generations", True),
        ("Daten, die älter als 6 Monate sind", False),
        ("keep the old key after it", False),
        ("claims older than 5 minutes", False),
    ],
)
def test_age_words(tmp_path: Path, text: str, flagged: bool) -> None:
    sample = tmp_path / "x.txt"
    sample.write_text(text, encoding="utf-8")
    assert bool(_hits(AGE_WORDS, [sample])) is flagged


@pytest.mark.parametrize("locale", ["en", "de"])
def test_the_note_tags_the_templates_teach_are_the_ones_the_parser_reads(locale: str) -> None:
    """Every ``#tag`` a template shows inside backticks is one ``bot.domain.notes`` understands, and each locale
    teaches its own spelling from the glossary (``#privat`` / ``#programm`` in German)."""
    from bot.domain import notes

    taught = set()
    for path in sorted((TEMPLATES / locale).glob("*.j2")):
        for code in re.findall(r"`([^`]*)`", path.read_text(encoding="utf-8")):
            taught |= set(re.findall(r"(?<![\w<])#([a-zäöü]+)\b", code))
    assert taught and taught <= set(notes.FLAGS), taught - set(notes.FLAGS)
    glossary = {tag.strip().lstrip("#") for tag in GLOSSARY["note_tags"][locale].split(",")}
    assert glossary <= set(notes.FLAGS) and taught <= glossary | {"host"}, taught - glossary

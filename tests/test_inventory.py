"""The data inventory (DATA.md, and DATA.de.md in German): every table and column of the migrated database has an
entry in ``bot.inventory_entries``, no entry names a column that is gone, every English text has its German in
``bot.inventory_de`` and no German text outlives its English, and the committed files are what ``tandem
data-inventory`` writes. (The schema check runs on SQLite, and PostgreSQL when set.)"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import DateTime, Engine, inspect

from bot import inventory_de
from bot import inventory_entries as inv
from bot.cli import main
from bot.inventory import english_texts, missing_and_stale, render, schema_tables, untranslated_and_stale

ROOT = Path(__file__).resolve().parent.parent


def test_every_table_and_column_of_the_migrated_database_has_an_entry(engine: Engine) -> None:
    """The database at head (all migrations) against the inventory, and against the tables the generator reads."""
    found = inspect(engine)
    database = {name: [c["name"] for c in found.get_columns(name)] for name in found.get_table_names()}
    missing, stale = missing_and_stale(database)
    assert missing == [], f"no entry in bot/inventory_entries.py for {missing}"
    assert stale == [], f"bot/inventory_entries.py names what the database does not have: {stale}"
    generated = {name: sorted(c.name for c in table.columns) for name, table in schema_tables().items()}
    assert generated == {name: sorted(columns) for name, columns in database.items()}


def test_a_missing_or_stale_entry_is_named_and_stops_the_generator(monkeypatch: pytest.MonkeyPatch) -> None:
    tables = {name: [c.name for c in t.columns] for name, t in schema_tables().items()}
    assert missing_and_stale(tables) == ([], [])
    grown = {**tables, "note": [*tables["note"], "mood"], "new_table": ["id"]}
    shrunk = {**tables, "goal": [c for c in tables["goal"] if c != "due_on"]}
    del shrunk["clock_tick"]
    assert missing_and_stale(grown) == (["new_table", "note.mood"], [])
    assert missing_and_stale(shrunk) == ([], ["clock_tick", "goal.due_on"])

    participant = inv.TABLES["participant"]
    columns = {k: v for k, v in participant.columns.items() if k != "values"}
    monkeypatch.setitem(inv.TABLES, "participant", replace(participant, columns=columns))
    with pytest.raises(ValueError, match=r"missing \['participant\.values'\]"):
        render()
    result = CliRunner().invoke(main, ["data-inventory", "--check", "--output", str(ROOT / "DATA.md")])
    assert result.exit_code == 2 and "participant.values" in result.output


def test_data_md_is_up_to_date() -> None:
    committed = (ROOT / "DATA.md").read_text(encoding="utf-8")
    assert committed == render(), "DATA.md is out of date: run `tandem data-inventory` and commit DATA.md"


def test_data_de_md_is_up_to_date() -> None:
    committed = (ROOT / "DATA.de.md").read_text(encoding="utf-8")
    assert committed == render("de"), "DATA.de.md is out of date: run `tandem data-inventory` and commit DATA.de.md"


def test_every_english_text_has_its_german_and_no_german_is_stale() -> None:
    untranslated, stale = untranslated_and_stale("de")
    assert not untranslated, f"no German in bot/inventory_de.py for: {untranslated}"
    assert not stale, f"German in bot/inventory_de.py whose English is no longer rendered (remove it): {stale}"


def test_the_german_keeps_placeholders_and_code() -> None:
    """A translation keeps every ``{placeholder}`` and every `code` span (identifiers stay as they are)."""

    def code(text: str) -> set[str]:
        return {" ".join(span.split()) for span in re.findall(r"`([^`]*)`", text)}

    for english, german in inventory_de.TEXTS.items():
        assert re.findall(r"{\w+}", english) == re.findall(r"{\w+}", german), english
        assert code(english) <= code(german), english


def test_a_new_english_text_without_german_is_named_and_a_gone_one_is_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    goal = inv.TABLES["goal"]
    monkeypatch.setitem(inv.TABLES, "goal", replace(goal, description="A pair's goal, newly worded."))
    assert "A pair's goal, newly worded." in english_texts()
    assert untranslated_and_stale("de") == (["A pair's goal, newly worded."], [goal.description])
    assert render().count("A pair's goal, newly worded.") == 2  # the English still renders
    with pytest.raises(ValueError, match=r"DATA\.de\.md: no translation for \[\"A pair's goal, newly worded\.\"\]"):
        render("de")
    result = CliRunner().invoke(main, ["data-inventory", "--check", "--output", str(ROOT / "DATA.md")])
    assert result.exit_code == 2 and "newly worded" in result.output


def test_the_command_writes_and_checks(tmp_path: Path) -> None:
    out, out_de = tmp_path / "DATA.md", tmp_path / "DATA.de.md"
    runner = CliRunner()
    assert runner.invoke(main, ["data-inventory", "--check", "--output", str(out)]).exit_code == 1  # no file yet
    written = runner.invoke(main, ["data-inventory", "--output", str(out)])
    assert written.exit_code == 0 and out.read_text(encoding="utf-8") == render()
    assert out_de.read_text(encoding="utf-8") == render("de")  # the German beside it
    assert runner.invoke(main, ["data-inventory", "--check", "--output", str(out)]).exit_code == 0
    out.write_text(render().replace("a random key", "a key"), encoding="utf-8")
    stale = runner.invoke(main, ["data-inventory", "--check", "--output", str(out)])
    assert stale.exit_code == 1 and "out of date" in stale.output and "tandem data-inventory" in stale.output
    out.write_text(render(), encoding="utf-8")
    out_de.write_text(render("de").replace("ein zufälliger Schlüssel", "ein Schlüssel"), encoding="utf-8")
    stale = runner.invoke(main, ["data-inventory", "--check", "--output", str(out)])
    assert stale.exit_code == 1 and "DATA.de.md is out of date" in stale.output and "DATA.md is" not in stale.output
    elsewhere = tmp_path / "de" / "Daten.md"
    elsewhere.parent.mkdir()
    written = runner.invoke(main, ["data-inventory", "--output", str(out), "--output-de", str(elsewhere)])
    assert written.exit_code == 0 and elsewhere.read_text(encoding="utf-8") == render("de")


def test_every_entry_says_what_who_and_how_long() -> None:
    for name, table in inv.all_tables().items():
        assert table.description and table.seen_by and table.retention, name
        for column, fact in table.columns.items():
            assert fact.purpose and fact.kind in inv.KINDS, f"{name}.{column}"
            assert (fact.seen_by or table.seen_by) and (fact.retention or table.retention), f"{name}.{column}"
            if fact.kind == inv.SECRET:
                assert (fact.seen_by or table.seen_by) == inv.NOBODY, f"{name}.{column}"
    text = render()
    for name in inv.all_tables():  # each table has its section and a row per column
        assert f"\n### {name}\n" in text
    assert text.count("\n| `") == sum(len(t.columns) for t in inv.all_tables().values())


def test_the_inventory_matches_what_the_schema_promises() -> None:
    """The promises DATA.md makes about the anonymous pulse and the trial check hold in the schema itself."""
    tables = schema_tables()
    response = tables["poll_response"]
    # a response names no person and has no time: no link to participant, no timestamp column, a random text key
    assert not [fk for fk in response.foreign_keys if fk.column.table.name != "poll_round"]
    assert not [c for c in response.columns if isinstance(c.type, DateTime) or "time" in type(c.type).__name__.lower()]
    assert [c.name for c in response.primary_key] == ["id"] and response.c.id.type.python_type is str
    # a sealed ballot (an open round's answer) neither: its round, a random text key and the sealed bytes, nothing else
    ballot = tables["poll_ballot"]
    assert sorted(c.name for c in ballot.columns) == ["id", "round_id", "sealed"]
    assert [fk.column.table.name for fk in ballot.foreign_keys] == ["poll_round"]
    assert [c.name for c in ballot.primary_key] == ["id"] and ballot.c.id.type.python_type is str
    receipt = tables["poll_receipt"]
    assert sorted(c.name for c in receipt.columns) == ["answered", "participant_id", "round_id"]
    # the trial check holds no per-person answer
    trial = tables["trial_check"]
    assert not [fk for fk in trial.foreign_keys if fk.column.table.name == "participant"]
    # every link to a person is an identifier in the inventory
    for name, table in tables.items():
        entry = inv.all_tables()[name]
        for column in table.columns:
            if any(fk.column.table.name == "participant" for fk in column.foreign_keys):
                assert entry.columns[column.name].kind == inv.IDENTIFIER, f"{name}.{column.name}"

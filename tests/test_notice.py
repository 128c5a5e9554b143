"""A program's privacy notice and its draft works agreement (issue 18, item 2): hosts complete the notice, bad input
changes nothing, participants read it in /tandem privacy; the draft is written from the program's actual settings
(switches, thresholds, retention, working days, roles) in German and English and comes to the host's DM."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import select

from bot.domain.privacy_notice import Notice, parse
from bot.ids import ID
from bot.models import Program
from tests.helpers import admin_channel, create_program, dump, forged_click, onboard, persona

ANA = ("digital", "de-DE", "Europe/Berlin", "Ana", "Content", ["podcasts"], ["governance"], ["growth"])


def test_the_notice_is_all_three_or_nothing() -> None:
    assert parse("", " ", None) == (Notice(), {})
    assert not Notice().complete
    notice, errors = parse("Muster GmbH, München", "", "consent")
    assert notice is None and errors == {"contact": "error_required"}
    assert parse("Muster GmbH", "dsb@muster.de", "maybe")[1] == {"basis": "error_basis"}
    assert parse("x" * 301, "dsb@muster.de", "consent")[1] == {"controller": "error_too_long"}
    notice, errors = parse("  Muster   GmbH ", "dsb@muster.de", "works_agreement")
    assert errors == {} and notice == Notice("Muster GmbH", "dsb@muster.de", "works_agreement") and notice.complete


def test_hosts_complete_the_notice_and_participants_read_it(stack) -> None:  # type: ignore[no-untyped-def]
    hanna = persona(stack, "Hanna", is_admin=True, locale="de-DE")
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel, **{ID.PROGRAM_NAME.value: "Pilot 2027"})
    ana = onboard(stack, {"Ana": ANA})["Ana"]
    with stack.session_factory() as s:
        program_id = s.scalars(select(Program.id)).one()
    forged_click(stack, hanna, ID.PROGRAM_NOTICE.value, str(program_id), channel=channel)
    view = hanna.open_views()[-1]
    before = dump(stack.engine)["program"]
    answer = hanna.submit(view["id"], {ID.NOTICE_CONTROLLER.value: "Muster GmbH, Hauptstraße 1, München"}).json()
    assert set(answer["errors"]) == {ID.NOTICE_CONTACT.value, ID.NOTICE_BASIS.value}
    assert dump(stack.engine)["program"] == before  # nothing stored
    values = {
        ID.NOTICE_CONTROLLER.value: "Muster GmbH, Hauptstraße 1, München",
        ID.NOTICE_CONTACT.value: "datenschutz@muster.de",
        ID.NOTICE_BASIS.value: "works_agreement",
    }
    assert not hanna.submit(view["id"], values).body
    stack.settle()
    assert ana.slash("privacy").ok
    shown = json.dumps(ana.ephemeral_messages()[-1], ensure_ascii=False)
    assert "Verantwortlich für deine Daten ist Muster GmbH" in shown and "Betriebsvereinbarung" in shown

    # the draft works agreement: both languages, as files in Hanna's DM, from the settings as they are
    forged_click(stack, hanna, ID.PROGRAM_WORKS_AGREEMENT.value, str(program_id), channel=channel)
    stack.settle()
    drafts = {f["name"]: f["content"].decode() for f in stack.sandbox.files.values() if "works-agreement" in f["name"]}
    de = next(text for name, text in drafts.items() if ".de." in name)  # the sender tags the name (idempotency)
    en = next(text for name, text in drafts.items() if ".en." in name)
    assert "Betriebsvereinbarung zum Reverse-Mentoring-Programm „Pilot 2027“" in de
    assert "Verantwortlich: Muster GmbH, Hauptstraße 1, München" in de and "Art. 88 DSGVO" in de
    assert (
        "| Namentliche Hinweise auf stille Tandems | an | Hosts erfahren, welches Tandem seit 2 Wochen still ist |"
        in de
    )
    assert "which pair has been silent for 2 weeks |" in en
    assert "{{" not in de + en and "{%" not in de + en  # every placeholder filled in
    assert "erst ab 5 Antworten" in de and "12 Monate nach dem Ende" in de
    assert "Montag, Dienstag, Mittwoch, Donnerstag, Freitag" in de
    assert "No performance or behaviour evaluation" in en and "| Streaks | on |" in en
    assert all(
        f["shares"][0]["channel"] == stack.sandbox.dm_channel(hanna.id)
        for f in stack.sandbox.files.values()
        if "works-agreement" in f["name"]
    )

    # a switch turned off is what the next draft says
    with stack.session_factory() as s:
        s.get(Program, program_id).named_silence = False
        s.commit()
    hanna.slash("admin works-agreement Pilot 2027", channel_id=channel)
    stack.settle()
    latest = max((f for f in stack.sandbox.files.values() if ".de." in f["name"]), key=lambda f: f["id"])
    row = (
        "| Namentliche Hinweise auf stille Tandems | aus | Hosts sehen einmal pro Woche, mit der wöchentlichen"
        " Veröffentlichung, nur, wie viele Tandems in dieser Woche still geworden sind |"
    )
    assert row in latest["content"].decode()


@pytest.mark.sqlite_only  # the command line and the files it writes; the notice's queries run on PostgreSQL in the
# other tests of this module
def test_the_cli_writes_both_drafts(database_url: str, session_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    from datetime import UTC, date, datetime

    from bot.models import Workspace

    now = datetime(2027, 1, 4, tzinfo=UTC)
    with session_factory() as s:
        ws = Workspace(team_id="T0CLI", created_at=now)
        s.add(ws)
        s.flush()
        s.add(
            Program(workspace_id=ws.id, name="Pilot CLI", start_date=date(2027, 2, 1), created_at=now, updated_at=now)
        )
        s.commit()
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "works-agreement", "pilot cli", "--out", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "works-agreement-pilot-cli.de.md",
        "works-agreement-pilot-cli.en.md",
    ]
    assert "[Unternehmen, Anschrift]" in (tmp_path / "works-agreement-pilot-cli.de.md").read_text()
    missing = subprocess.run(
        [sys.executable, "-m", "bot.cli", "works-agreement", "nope", "--out", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 1 and "no program is called 'nope'" in missing.stderr

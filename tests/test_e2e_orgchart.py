"""Reporting lines from what a workspace has, end to end: the org chart a host uploads in the admin channel (bad
lines reported line by line, nothing half imported, a new import replaces the last, e-mail addresses looked up
and never stored), the Slack profile field a host maps, and who may do either (hosts only, their own files)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.ids import ID
from bot.models import ReportingLine, Workspace
from bot.sandbox.personas import Persona
from bot.sandbox.stack import LocalStack
from tests.helpers import admin_channel, create_program, onboard, persona

PEOPLE = {
    # name: (role, Slack locale, zone, display name, department, can teach, wants to learn, values)
    "Tia": ("digital", "en-GB", "Europe/Berlin", "Tia", "Content", ["podcasts"], ["governance"], ["growth"]),
    "Hal": ("context", "en-GB", "Europe/Berlin", "Hal", "Finance", ["governance"], ["podcasts"], ["growth"]),
    "Ivy": ("digital", "en-GB", "Europe/Berlin", "Ivy", "Social", ["short video"], ["budgeting"], ["trust"]),
}


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _lines(stack: LocalStack, source: str = "orgchart") -> dict[str, str]:
    with stack.session_factory() as s:
        return {
            r.person_slack_id: r.manager_slack_id
            for r in s.scalars(select(ReportingLine).where(ReportingLine.source == source))
        }


def _open(stack: LocalStack, host: Persona, channel: str) -> dict[str, Any]:
    assert host.slash("admin orgchart", channel_id=channel).ok
    view = host.open_views()[-1]
    assert view["callback_id"] == ID.ORGCHART_MODAL
    return view


def _submit(stack: LocalStack, host: Persona, view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Submit the modal; returns the view as it is once the app is done (the answer says "checking" at once)."""
    answer = host.submit(view["id"], values).json() or {}
    stack.settle()
    if answer.get("response_action") == "errors":
        return {"errors": answer["errors"]}
    assert answer.get("response_action") == "update" and "Checking" in _text(answer["view"])
    shown = stack.sandbox.view(view["id"])
    assert shown is not None
    return shown


def _admin_texts(stack: LocalStack, channel: str) -> list[str]:
    return [m.get("text", "") for m in stack.sandbox.messages(channel)]


def test_bad_lines_are_reported_line_by_line_nothing_is_imported_then_a_good_file_replaces_the_last(
    stack: LocalStack,
) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    people = onboard(stack, PEOPLE)
    lead = stack.sandbox.add_user("lena", real_name="Lena Lead", email="Lena.Lead@Example.org")
    tia, hal, ivy = people["Tia"].id, people["Hal"].id, people["Ivy"].id

    view = _open(stack, hanna, channel)
    kinds = [b.get("element", {}).get("type") for b in view["blocks"] if b["type"] == "input"]
    assert kinds == ["file_input"]  # no profile field to map in this workspace, nothing to remove yet
    assert "no custom fields" in _text(view) and "never stored" in _text(view)

    bad = (
        "person;manager\n"
        f"{tia};lena.lead@example.org\n"
        f"lena.lead@example.org;{hal}\n"
        f"{ivy};ghost@example.org\n"
        f"{hal};{hal}\n"
        "just one column\n"
    ).encode()
    shown = _submit(stack, hanna, view, {ID.ORGCHART_FILE.value: stack.sandbox.upload_as(hanna.id, "chart.csv", bad)})
    text = _text(shown)
    assert "3 lines can't be imported, so nothing was imported." in text
    assert "Line 4: nobody in this Slack workspace has the e-mail address ghost@example.org" in text
    assert "Line 5: a person can't be their own manager" in text
    assert "Line 6: needs exactly two columns, the person and their manager (found 1)" in text
    assert "Line 2" not in text and "Line 3" not in text
    assert _lines(stack) == {}  # nothing half imported
    assert shown["callback_id"] == ID.ORGCHART_MODAL and any(
        b.get("element", {}).get("type") == "file_input" for b in shown["blocks"]
    )  # the host uploads the corrected file right there
    assert any("3 lines were wrong, so nothing was imported" in t for t in _admin_texts(stack, channel))
    assert len(stack.sandbox.calls_to("users.lookupByEmail")) == 2  # each address once

    good = f"{tia},lena.lead@example.org\nLena.Lead@example.org,{hal}\n{ivy},{hal}\n".encode()
    shown = _submit(stack, hanna, shown, {ID.ORGCHART_FILE.value: stack.sandbox.upload_as(hanna.id, "ok.csv", good)})
    assert "Imported the org chart: 3 reporting lines." in _text(shown)
    assert _lines(stack) == {tia: lead, lead: hal, ivy: hal}
    assert any(f"<@{hanna.id}> imported an org chart: 3 reporting lines." in t for t in _admin_texts(stack, channel))
    with stack.session_factory() as s:  # the addresses were only looked up
        assert "@" not in _text([(r.person_slack_id, r.manager_slack_id) for r in s.scalars(select(ReportingLine))])

    # a new import replaces the whole previous one
    view = _open(stack, hanna, channel)
    assert "3 lines from the org chart" in _text(view)
    shown = _submit(
        stack,
        hanna,
        view,
        {ID.ORGCHART_FILE.value: stack.sandbox.upload_as(hanna.id, "v2.csv", f"{ivy},{tia}\n".encode())},
    )
    assert "Imported the org chart: 1 reporting line, replacing the previous 3." in _text(shown)
    assert _lines(stack) == {ivy: tia}
    assert any("(the previous 3 are replaced)" in t for t in _admin_texts(stack, channel))

    # asking for nothing, or for two things at once, is refused on the field; removing deletes it
    view = _open(stack, hanna, channel)
    assert _submit(stack, hanna, view, {}) == {
        "errors": {ID.ORGCHART_FILE.value: "Choose a CSV file, pick a different profile field, or tick “Remove”."}
    }
    file = stack.sandbox.upload_as(hanna.id, "v3.csv", f"{ivy},{hal}\n".encode())
    both = _submit(stack, hanna, view, {ID.ORGCHART_FILE.value: file, ID.ORGCHART_REMOVE.value: ["remove"]})
    assert "not both" in both["errors"][ID.ORGCHART_FILE.value]
    shown = _submit(stack, hanna, view, {ID.ORGCHART_REMOVE.value: ["remove"]})
    assert "Removed the imported org chart (1 line)." in _text(shown)
    assert _lines(stack) == {}


def test_only_hosts_import_and_only_files_they_uploaded_themselves(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    people = onboard(stack, PEOPLE)
    tia = people["Tia"]
    view = _open(stack, hanna, channel)
    chart = f"{tia.id},{people['Hal'].id}\n".encode()

    # Tia, no host, replays the hosts' modal with a file of her own: refused on the field, nothing read or stored
    forged = stack.sandbox.forge_view(tia.id, view)
    answer = tia.submit(forged["id"], {ID.ORGCHART_FILE.value: stack.sandbox.upload_as(tia.id, "mine.csv", chart)})
    assert answer.json()["response_action"] == "errors" and answer.json()["errors"][ID.ORGCHART_FILE.value]
    assert tia.slash("admin orgchart", channel_id=tia.dm).body  # the command refuses her too
    assert stack.sandbox.downloads == [] and stack.sandbox.calls_to("files.info") == []
    assert _lines(stack) == {}

    # Hanna submits a file Tia uploaded: Tandem asks Slack whose it is, and does not fetch it
    shown = _submit(stack, hanna, view, {ID.ORGCHART_FILE.value: stack.sandbox.upload_as(tia.id, "hers.csv", chart)})
    assert "couldn't fetch that file" in _text(shown)
    assert stack.sandbox.downloads == [] and _lines(stack) == {}

    # a file Hanna uploaded is fetched with the bot token
    shown = _submit(stack, hanna, shown, {ID.ORGCHART_FILE.value: stack.sandbox.upload_as(hanna.id, "c.csv", chart)})
    assert "Imported the org chart: 1 reporting line." in _text(shown)
    assert [d["authorized"] for d in stack.sandbox.downloads] == [True]


def test_a_mapped_profile_field_names_managers_and_is_read_again_when_a_host_runs_matching(
    stack: LocalStack,
) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    people = onboard(stack, PEOPLE)
    sandbox = stack.sandbox
    field = sandbox.add_profile_field("Manager")
    boss = sandbox.add_user("bo", real_name="Bo Boss")
    sandbox.set_profile_field(people["Tia"].id, field, boss)  # a "user" field holds a member id
    sandbox.set_profile_field(people["Hal"].id, field, "bo@tandem-sandbox.example")  # or an address
    sandbox.set_profile_field(people["Ivy"].id, field, "the big boss")  # or anything else

    view = _open(stack, hanna, channel)
    select_ = next(b for b in view["blocks"] if b["block_id"] == ID.ORGCHART_FIELD.value)
    assert [o["text"]["text"] for o in select_["element"]["options"]] == ["No profile field", "Manager"]
    shown = _submit(stack, hanna, view, {ID.ORGCHART_FIELD.value: field})
    assert "reads managers from the profile field *Manager*: 2 of 3 people in a program name one there" in _text(shown)
    assert _lines(stack, "slack_profile") == {people["Tia"].id: boss, people["Hal"].id: boss}
    with stack.session_factory() as s:
        assert s.scalars(select(Workspace.manager_field_id)).one() == field

    # a host runs matching: the field is read again for the people to be paired
    sandbox.set_profile_field(people["Ivy"].id, field, boss)
    sandbox.set_profile_field(people["Tia"].id, field, None)
    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    assert _lines(stack, "slack_profile") == {people["Hal"].id: boss, people["Ivy"].id: boss}

    # no field any more: the lines read from it go
    shown = _submit(stack, hanna, _open(stack, hanna, channel), {ID.ORGCHART_FIELD.value: "-"})
    assert "no longer reads managers from a Slack profile field; the 2 lines it had read are deleted" in _text(shown)
    assert _lines(stack, "slack_profile") == {}
    with stack.session_factory() as s:
        assert s.scalars(select(Workspace.manager_field_id)).one() is None

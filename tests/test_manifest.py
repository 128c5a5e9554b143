"""manifest.yml is valid for Slack and asks for what Tandem uses, and no more."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator
from referencing import Registry, Resource

from bot.ids import ID

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = Path(__file__).resolve().parent / "data" / "manifest-schema"  # copied from Slack's manifest-schema
SHARED_VALIDATOR = ROOT.parent / "shared" / "slack-reference" / "validate_manifest.py"


def _manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def _validator() -> Draft7Validator:
    top = json.loads((SCHEMAS / "manifest.schema.json").read_text())
    refs: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str) and value.startswith("http"):
                    refs.add(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(top)
    registry = Registry().with_resources(
        (url, Resource.from_contents(json.loads((SCHEMAS / url.rsplit("/", 1)[1]).read_text()))) for url in refs
    )
    return Draft7Validator(top, registry=registry)


def test_manifest_validates_against_slacks_schema() -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator().iter_errors(_manifest())]
    assert errors == []


def test_schema_copy_rejects_a_broken_manifest() -> None:
    broken = _manifest()
    broken["display_information"]["name"] = ""
    broken["features"]["bot_user"]["display_name"] = "x" * 200
    assert list(_validator().iter_errors(broken))


@pytest.mark.skipif(not SHARED_VALIDATOR.exists(), reason="shared/slack-reference is not next to the project")
def test_manifest_passes_slacks_reference_validator() -> None:
    proc = subprocess.run(
        [sys.executable, str(SHARED_VALIDATOR), str(ROOT / "manifest.yml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_manifest_has_what_tandem_needs() -> None:
    m = _manifest()
    assert m["features"]["app_home"]["home_tab_enabled"] and m["features"]["app_home"]["messages_tab_enabled"]
    assert [c["command"] for c in m["features"]["slash_commands"]] == ["/tandem"]
    assert [(s["type"], s["callback_id"]) for s in m["features"]["shortcuts"]] == [("message", ID.NOTE_SHORTCUT.value)]
    assert m["settings"]["interactivity"]["is_enabled"] is True
    assert m["settings"]["socket_mode_enabled"] is True
    assert set(m["settings"]["event_subscriptions"]["bot_events"]) >= {
        "app_home_opened",
        "message.im",
        "message.mpim",
        "member_joined_channel",
    }


def test_manifest_asks_for_the_fewest_scopes() -> None:
    scopes = set(_manifest()["oauth_config"]["scopes"]["bot"])
    assert scopes == {
        "chat:write",
        "commands",
        "im:history",
        "im:write",
        "mpim:history",
        "mpim:write",
        "users:read",
        "channels:read",
        "groups:read",
        "groups:write",  # conversations.invite: alumni as co-hosts join the private admin channel
        "files:write",
        # a post whose answer got lost is looked up by its key before a resend (exactly once); a bot reads only
        # channels it was added to: the admin channel and the community channel
        "channels:history",
        "groups:history",
        # reporting lines (issue 16): an org chart's e-mail addresses are looked up (users.lookupByEmail), the
        # workspace's manager profile field read (team.profile.get, users.profile.get), the uploaded CSV fetched
        # (files.info, url_private)
        "users:read.email",
        "users.profile:read",
        "files:read",
    }
    # never broad ones Tandem does not need
    assert not scopes & {
        "chat:write.public",
        "users:write",
        "users.profile:write",
        "admin",
    }

"""The manifest ``tandem manifest`` prints (bot/manifest.py) is valid for Slack in each variant (Socket Mode, request
URLs, OAuth) and asks for what Tandem uses, and no more; manifest.yml is its Socket Mode variant, up to date."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft7Validator
from referencing import Registry, Resource

from bot.cli import main
from bot.ids import ID
from bot.manifest import render

URL = "https://tandem.example.com"
VARIANTS = {"socket": [], "http": ["--http", URL], "oauth": ["--http", URL, "--oauth"]}

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = Path(__file__).resolve().parent / "data" / "manifest-schema"  # copied from Slack's manifest-schema
SHARED_VALIDATOR = ROOT.parent / "shared" / "slack-reference" / "validate_manifest.py"


def _manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def _printed(variant: str) -> str:
    result = CliRunner().invoke(main, ["manifest", *VARIANTS[variant]])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module", params=list(VARIANTS))
def variant(request: pytest.FixtureRequest) -> tuple[str, dict]:
    return request.param, yaml.safe_load(_printed(request.param))


def test_manifest_yml_is_the_generated_socket_mode_variant() -> None:
    committed = (ROOT / "manifest.yml").read_text(encoding="utf-8")
    assert committed == render() == _printed("socket"), (
        "manifest.yml is out of date: run `tandem manifest > manifest.yml`"
    )


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


def test_manifest_validates_against_slacks_schema(variant: tuple[str, dict]) -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator().iter_errors(variant[1])]
    assert errors == []


def test_schema_copy_rejects_a_broken_manifest() -> None:
    broken = _manifest()
    broken["display_information"]["name"] = ""
    broken["features"]["bot_user"]["display_name"] = "x" * 200
    assert list(_validator().iter_errors(broken))


@pytest.mark.skipif(not SHARED_VALIDATOR.exists(), reason="shared/slack-reference is not next to the project")
def test_manifest_passes_slacks_reference_validator(tmp_path: Path) -> None:
    files = []
    for name in VARIANTS:
        files.append(tmp_path / f"{name}.yml")
        files[-1].write_text(_printed(name))
    proc = subprocess.run(
        [sys.executable, str(SHARED_VALIDATOR), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_manifest_has_what_tandem_needs(variant: tuple[str, dict]) -> None:
    name, m = variant
    assert m["features"]["app_home"]["home_tab_enabled"] and m["features"]["app_home"]["messages_tab_enabled"]
    assert [c["command"] for c in m["features"]["slash_commands"]] == ["/tandem"]
    assert [(s["type"], s["callback_id"]) for s in m["features"]["shortcuts"]] == [("message", ID.NOTE_SHORTCUT.value)]
    assert m["settings"]["interactivity"]["is_enabled"] is True
    settings, events = m["settings"], f"{URL}/slack/events"
    assert settings["socket_mode_enabled"] is (name == "socket")
    urls = [m["features"]["slash_commands"][0].get("url"), settings["event_subscriptions"].get("request_url")]
    urls.append(settings["interactivity"].get("request_url"))
    assert urls == ([None] * 3 if name == "socket" else [events] * 3)
    assert m["oauth_config"].get("redirect_urls") == ([f"{URL}/slack/oauth_redirect"] if name == "oauth" else None)
    assert set(m["settings"]["event_subscriptions"]["bot_events"]) >= {
        "app_home_opened",
        "message.im",
        "message.mpim",
        "member_joined_channel",
    }


def test_manifest_asks_for_the_fewest_scopes(variant: tuple[str, dict]) -> None:
    scopes = set(variant[1]["oauth_config"]["scopes"]["bot"])
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


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--http", "http://tandem.example.com"], "must start with https://"),
        (["--http", "tandem.example.com"], "must start with https://"),
        (["--http", "https://tandem.example.com/slack/events"], "without a path"),
        (["--http", "https://tandem.example.com?x=1"], "without a path"),
        (["--http", "https://user:pw@tandem.example.com"], "user or password"),
        (["--http", "https://tandem.example.com:99999"], "bad port"),
        (["--http", "https://"], "no valid host name"),
        (["--http", "https://tandem_example.com"], "no valid host name"),
        (["--oauth"], "--oauth needs --http"),
    ],
)
def test_a_bad_url_is_one_line_and_exit_2(args: list[str], says: str) -> None:
    result = CliRunner().invoke(main, ["manifest", *args])
    assert result.exit_code == 2 and says in result.output
    assert result.output.startswith("tandem: ") and result.output.count("\n") == 1


def test_a_url_is_normalised() -> None:
    text = CliRunner().invoke(main, ["manifest", "--http", "https://Tandem.Example.com:8443/"]).output
    assert (
        yaml.safe_load(text)["settings"]["interactivity"]["request_url"]
        == "https://tandem.example.com:8443/slack/events"
    )

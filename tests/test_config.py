"""Configuration: one clear line naming the variable, exit status 2, no traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import ConfigError, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in (
        "DATABASE_URL",
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_API_URL",
        "PORT",
        "TANDEM_LOG_LEVEL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    s = load_settings()
    assert s.database_url == "sqlite:///tandem.sqlite3"
    assert s.slack_api_url == "https://slack.com/api/"
    assert s.port == 3000


def test_postgres_url_gets_the_psycopg_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db:5432/tandem")
    assert load_settings().database_url == "postgresql+psycopg://u@db:5432/tandem"


def test_api_url_gets_a_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    assert load_settings().slack_api_url == "http://127.0.0.1:9/api/"


def test_dotenv_is_read(tmp_path) -> None:
    (tmp_path / ".env").write_text("PORT=4123\n")
    assert load_settings().port == 4123


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("DATABASE_URL", "mysql://x/y"),
        ("DATABASE_URL", "not a url"),
        ("SLACK_BOT_TOKEN", "xoxp-user"),
        ("SLACK_APP_TOKEN", "xoxb-1"),
        ("SLACK_API_URL", "ftp://x"),
        ("TANDEM_LOG_LEVEL", "LOUD"),
    ],
)
def test_malformed_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert str(err.value).startswith(f"{name}:")
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("env", "args", "variable"),
    [
        ({"PORT": "eighty"}, ["serve"], "PORT"),
        ({}, ["serve"], "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, ["worker", "--once"], "SLACK_SIGNING_SECRET"),
        ({"DATABASE_URL": "mysql://x/y"}, ["db", "upgrade"], "DATABASE_URL"),
    ],
)
def test_cli_exits_2_with_one_line(tmp_path, env: dict[str, str], args: list[str], variable: str) -> None:
    clean = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env}
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=clean,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0] and "Traceback" not in proc.stderr

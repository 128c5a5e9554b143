"""Settings from the environment (and an optional ``.env`` file).

A missing or malformed setting is reported as one line naming the variable; the CLI exits with status 2.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_SLACK_AUTHORIZE_URL = "https://slack.com/oauth/v2/authorize"

# environment variable -> one-line description; the README configuration table mirrors this.
VARIABLES: dict[str, str] = {
    "DATABASE_URL": "SQLAlchemy URL of the database (default: sqlite:///tandem.sqlite3 in the working dir)",
    "SLACK_BOT_TOKEN": "the bot token (xoxb-...) of the installed Slack app (one workspace)",
    "SLACK_SIGNING_SECRET": "the app's signing secret; every HTTP request from Slack is checked against it",
    "SLACK_APP_TOKEN": "app-level token (xapp-...); when set, `tandem serve` uses Socket Mode",
    "SLACK_API_URL": "base URL of the Slack Web API (GovSlack-style hosts, the sandbox)",
    "SLACK_CLIENT_ID": "the app's client id; with SLACK_CLIENT_SECRET, workspaces install Tandem over OAuth",
    "SLACK_CLIENT_SECRET": "the app's client secret (several workspaces, OAuth)",
    "SLACK_OAUTH_REDIRECT_URI": "the redirect URL sent to Slack (https://.../slack/oauth_redirect; default: the app's)",
    "SLACK_AUTHORIZE_URL": "where /slack/install sends people to approve the app (default: Slack's oauth/v2/authorize)",
    "PORT": "HTTP port of `tandem serve` (default 3000)",
    "TANDEM_LOG_LEVEL": "logging level (default INFO)",
    "TANDEM_CHANNEL_INTERVAL": "seconds between two messages the worker posts to one conversation (default 1, 0: off)",
    "TANDEM_WORKSPACE_BUDGET": "Web API calls per minute per workspace and method the workers make (default 300)",
    "TANDEM_MAX_BODY_BYTES": "largest HTTP request body `tandem serve` accepts, in bytes; larger ones get 413 (1 MiB)",
    "TANDEM_SECRET_KEY": "the key that seals pulse ballots and encrypts stored tokens (`tandem secret-key` prints one;"
    " several, comma-separated, while rotating: the first encrypts)",
    "TANDEM_METRICS_TOKEN": "when set, /metrics answers only requests with `Authorization: Bearer <this token>`"
    " (at least 16 characters)",
}

# The format of TANDEM_SECRET_KEY (``bot.crypto`` uses the keys; the settings check their format when they are read).
KEY_BYTES = 32


class KeyProblem(Exception):
    """The secret key is missing or malformed; ``str(err)`` is one line that says how to fix it."""


class MissingKey(KeyProblem):
    pass


def parse_keys(text: str) -> list[bytes]:
    """``TANDEM_SECRET_KEY``'s value -> the keys, first the one that encrypts. Raises KeyProblem with one line."""
    keys: list[bytes] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != KEY_BYTES:
            raise KeyProblem(
                "each key must be 32 random bytes in URL-safe base64 (44 characters); `tandem secret-key` prints one"
            )
        keys.append(raw)
    if not keys:
        raise MissingKey("no key given; `tandem secret-key` prints one")
    return keys


# Settings that are secrets: read from the environment only (or a git-ignored ``.env`` in the working directory,
# for development), with no default, and never shown: ``repr(settings)`` masks them, the logs redact them.
SECRETS = (
    "slack_bot_token",
    "slack_signing_secret",
    "slack_app_token",
    "slack_client_secret",
    "secret_key",
    "metrics_token",
)
METRICS_TOKEN_MIN = 16  # characters


class ConfigError(Exception):
    """A setting is missing or malformed. ``str(err)`` is one line naming the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default="sqlite:///tandem.sqlite3", alias="DATABASE_URL")
    slack_bot_token: str | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default=DEFAULT_SLACK_API_URL, alias="SLACK_API_URL")
    slack_client_id: str | None = Field(default=None, alias="SLACK_CLIENT_ID")
    slack_client_secret: str | None = Field(default=None, alias="SLACK_CLIENT_SECRET")
    slack_oauth_redirect_uri: str | None = Field(default=None, alias="SLACK_OAUTH_REDIRECT_URI")
    slack_authorize_url: str = Field(default=DEFAULT_SLACK_AUTHORIZE_URL, alias="SLACK_AUTHORIZE_URL")
    port: int = Field(default=3000, alias="PORT", ge=1, le=65535)
    log_level: str = Field(default="INFO", alias="TANDEM_LOG_LEVEL")
    log_format: str = Field(default="json", alias="TANDEM_LOG_FORMAT")  # "json" (one object a line) or "text"
    channel_interval: float = Field(default=1.0, alias="TANDEM_CHANNEL_INTERVAL", ge=0, le=60)
    workspace_budget: int = Field(default=300, alias="TANDEM_WORKSPACE_BUDGET", ge=0, le=100_000)
    max_body_bytes: int = Field(default=1024 * 1024, alias="TANDEM_MAX_BODY_BYTES", ge=16 * 1024, le=64 * 1024 * 1024)
    secret_key: str | None = Field(default=None, alias="TANDEM_SECRET_KEY")
    metrics_token: str | None = Field(default=None, alias="TANDEM_METRICS_TOKEN")

    def __repr_args__(self) -> Iterator[tuple[str | None, object]]:
        """``repr()`` and ``str()`` show every setting but the secrets, and the database URL without its password."""
        for name, value in super().__repr_args__():
            if name in SECRETS and value is not None:
                yield name, "***"
            elif name == "database_url" and isinstance(value, str):
                yield name, _hide_password(value)
            else:
                yield name, value

    def secrets(self) -> list[str]:
        """The secret values that are set (the database password too), for the logs to redact."""
        values = [getattr(self, name) for name in SECRETS if name != "secret_key"]
        if self.secret_key:
            values += [part.strip() for part in self.secret_key.split(",") if part.strip()]
        from sqlalchemy.engine import make_url

        values.append(make_url(self.database_url).password)
        return [str(v) for v in values if v]

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError("not a database URL such as sqlite:///tandem.sqlite3") from exc
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError("must be an sqlite:// or postgresql:// URL")
        if url.get_backend_name() == "postgresql" and url.drivername in ("postgresql", "postgres"):
            # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
            value = url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value if value.endswith("/") else value + "/"

    @field_validator("slack_oauth_redirect_uri", "slack_authorize_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("slack_client_id", "slack_client_secret", "slack_oauth_redirect_uri")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("metrics_token")
    @classmethod
    def _metrics_token(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        value = value.strip()
        if len(value) < METRICS_TOKEN_MIN or any(c.isspace() for c in value):
            raise ValueError(f"must be at least {METRICS_TOKEN_MIN} characters without spaces (a random string)")
        return value

    @field_validator("secret_key")
    @classmethod
    def _secret_key(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        try:
            parse_keys(value)
        except KeyProblem as exc:
            raise ValueError(str(exc)) from None
        return value.strip()

    def require_secret_key(self) -> None:
        """Raise ConfigError unless TANDEM_SECRET_KEY is set: serve, worker and clock need it (pulse ballots are
        sealed with it, stored tokens encrypted)."""
        if not self.secret_key:
            raise ConfigError(f"TANDEM_SECRET_KEY: not set ({VARIABLES['TANDEM_SECRET_KEY']})")

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return value

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        value = value.lower()
        if value not in ("json", "text"):
            raise ValueError("must be json or text")
        return value

    @property
    def multi_workspace(self) -> bool:
        """Workspaces install Tandem over OAuth (a token each, from the installation store) instead of one
        SLACK_BOT_TOKEN."""
        return bool(self.slack_client_id and self.slack_client_secret)

    def require_slack(self) -> None:
        """Raise ConfigError unless the settings needed to talk to Slack are present: SLACK_SIGNING_SECRET, and
        either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID with SLACK_CLIENT_SECRET (OAuth, several)."""
        if bool(self.slack_client_id) != bool(self.slack_client_secret):
            name = "SLACK_CLIENT_SECRET" if self.slack_client_id else "SLACK_CLIENT_ID"
            raise ConfigError(f"{name}: not set (OAuth needs both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)")
        if self.multi_workspace:
            if self.slack_bot_token:
                raise ConfigError(
                    "SLACK_BOT_TOKEN: set it (one workspace) or SLACK_CLIENT_ID with SLACK_CLIENT_SECRET, not both"
                )
            if self.slack_app_token:
                raise ConfigError(
                    "SLACK_APP_TOKEN: Socket Mode serves no install pages; unset it to install over OAuth (HTTP mode)"
                )
        elif not self.slack_bot_token:
            raise ConfigError(
                f"SLACK_BOT_TOKEN: not set ({VARIABLES['SLACK_BOT_TOKEN']}; or set SLACK_CLIENT_ID and"
                " SLACK_CLIENT_SECRET to install over OAuth)"
            )
        if not self.slack_signing_secret:
            raise ConfigError(f"SLACK_SIGNING_SECRET: not set ({VARIABLES['SLACK_SIGNING_SECRET']})")


def _hide_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def load_settings(**overrides: object) -> Settings:
    """Read the settings; raise ConfigError with one line naming the offending variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first.get("loc") else "configuration"
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{name}: {message[:1].lower()}{message[1:]}") from None

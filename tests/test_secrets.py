"""Secrets at rest and on the wire: Slack tokens in the installation store are encrypted with TANDEM_SECRET_KEY (a
reader of the database, its SQLite file and WAL, finds none), old plaintext rows still work and are encrypted by
``installs.reencrypt_tokens``, which also moves every token to a new key; ``/metrics`` asks for a bearer token
when one is set, or listens on a port of its own."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot import crypto
from bot.clock import SimulatedClock
from bot.config import SECRETS, VARIABLES, ConfigError, load_settings
from bot.sandbox.stack import LocalStack
from bot.services import installs, privacy
from bot.slack.install import installation_store
from tests.conftest import backends
from tests.helpers import START, clear_slack_stores, install

TOKEN_SHAPES = (b"xoxb-", b"xoxp-", b"xoxe", b"xapp-")


def _rotated(team: str) -> Installation:
    """An installation with every kind of token slack_sdk stores: bot and user, each with a refresh token (token
    rotation), as a workspace that granted user scopes would have."""
    return Installation(
        app_id="A1", team_id=team, team_name="Rotating", bot_token=f"xoxe.xoxb-made-up-{team}-bot", bot_id="B1",
        bot_user_id="UB", bot_scopes="chat:write", bot_refresh_token=f"xoxe-made-up-{team}-bot-refresh",
        bot_token_expires_in=43200, user_id="U1", user_token=f"xoxe.xoxp-made-up-{team}-user",
        user_refresh_token=f"xoxe-made-up-{team}-user-refresh", user_token_expires_in=43200, user_scopes="search:read",
        installed_at=1_800_000_000.0,
    )  # fmt: skip


@pytest.fixture(params=backends())
def fresh_url(request: pytest.FixtureRequest, scratch) -> str:
    """A database of its own, so that its file holds nothing an earlier test wrote."""
    return scratch.migrated(request.param)


def test_a_database_reader_finds_no_token_after_an_oauth_install(fresh_url: str) -> None:
    stack = LocalStack(fresh_url, clock=SimulatedClock(START), migrate=False, oauth=True)
    stack.start()
    try:
        sandbox = stack.sandbox
        host = sandbox.persona(sandbox.add_user("hana", real_name="Hana Host", is_admin=True))
        assert install(stack)[0] == 200
        [token] = sandbox.oauth.tokens_of(sandbox.team_id)
        store = installation_store(stack.settings, stack.engine)
        store.save(_rotated("T0ROTATE"))
        # Tandem works with the stored token as before
        stack.settle()
        assert host.slash("help").ok
        assert {c["token"] for c in sandbox.calls if c["method"] != "oauth.v2.access"} == {token}
        bot = store.find_bot(enterprise_id=None, team_id=sandbox.team_id)
        assert bot is not None and bot.bot_token == token
        rotating = store.find_installation(enterprise_id=None, team_id="T0ROTATE")
        assert rotating is not None and rotating.user_refresh_token == "xoxe-made-up-T0ROTATE-user-refresh"
        # every row of every table: no token, no token's shape
        tokens = [token, *(getattr(rotating, k) for k in ("bot_token", "bot_refresh_token", "user_token"))]
        assert privacy.traces(stack.engine, [*tokens, *(s.decode() for s in TOKEN_SHAPES)]) == []
        with stack.engine.connect() as conn:
            stored = conn.execute(text("SELECT bot_token FROM slack_bots")).scalars().all()
        assert stored and all(crypto.is_encrypted(v) for v in stored)
    finally:
        stack.stop()
        stack.engine.dispose()
    # the SQLite file and its WAL, byte by byte
    url = make_url(fresh_url)
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        files = [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]
        assert files
        for file in files:
            data = file.read_bytes()
            assert not [shape for shape in TOKEN_SHAPES if shape in data], file
            assert token.encode() not in data


@pytest.fixture
def stores(engine: Engine) -> Iterator[None]:
    clear_slack_stores(engine)
    yield
    clear_slack_stores(engine)


@pytest.fixture
def keyring() -> Iterator[None]:
    """Tests that switch keys get the process's own back afterwards."""
    yield
    crypto.use(None)


def test_plaintext_tokens_still_work_and_are_encrypted_then_moved_to_a_new_key(
    engine: Engine, stores: None, keyring: None
) -> None:
    settings = load_settings(SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET="s")
    # written before encryption: slack_sdk's own store, plaintext
    SQLAlchemyInstallationStore(client_id="1.2", engine=engine).save(_rotated("T0OLD"))
    store = installation_store(settings, engine)
    found = store.find_installation(enterprise_id=None, team_id="T0OLD")
    assert found is not None and found.bot_token == "xoxe.xoxb-made-up-T0OLD-bot"  # read as it is

    def raw() -> list[str]:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT bot_token, bot_refresh_token, user_token, user_refresh_token FROM slack_installations"
                    " UNION ALL SELECT bot_token, bot_refresh_token, NULL, NULL FROM slack_bots"
                )
            ).all()
        return [v for row in rows for v in row if v is not None]

    assert len(raw()) == 6 and not any(crypto.is_encrypted(v) for v in raw())
    assert installs.reencrypt_tokens(engine) == 6
    assert all(crypto.is_encrypted(v) for v in raw()) and not any("xox" in v for v in raw())
    assert installs.reencrypt_tokens(engine) == 0  # already under the current key
    # rotation: a new key first, the old one still listed; every token moves to the new key
    old = crypto.keyring()
    new_key = crypto.new_key()
    crypto.use(crypto.Keyring([crypto.parse_keys(new_key)[0], *(k.master for k in old._keys)]))
    assert installs.reencrypt_tokens(engine) == 6
    crypto.use(crypto.Keyring.from_text(new_key))  # the old key dropped
    found = store.find_installation(enterprise_id=None, team_id="T0OLD")
    assert found is not None and found.user_refresh_token == "xoxe-made-up-T0OLD-user-refresh"
    bot = store.find_bot(enterprise_id=None, team_id="T0OLD")
    assert bot is not None and bot.bot_refresh_token == "xoxe-made-up-T0OLD-bot-refresh"
    # a token under a key nobody lists any more reads as no token (Slack then says not_authed), never garbage
    crypto.use(crypto.Keyring.from_text(crypto.new_key()))
    lost = store.find_bot(enterprise_id=None, team_id="T0OLD")
    assert lost is not None and lost.bot_token is None
    with pytest.raises(crypto.CannotOpen):
        installs.reencrypt_tokens(engine)
    # `tandem secret-key --rotate` (bot.services.rekey) leaves such tokens as they are and says how many
    from bot.services import rekey

    with Session(engine) as session:
        counts = rekey.rotate(session)
        assert (counts["slack_tokens"], counts["slack_tokens_unopenable"]) == (0, 6)


def test_saving_again_encrypts_a_plaintext_row(engine: Engine, stores: None) -> None:
    settings = load_settings(SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET="s")
    SQLAlchemyInstallationStore(client_id="1.2", engine=engine).save(_rotated("T0SAVE"))
    store = installation_store(settings, engine)
    found = store.find_installation(enterprise_id=None, team_id="T0SAVE")
    assert found is not None
    store.save(found)  # a reinstall, or slack_sdk refreshing a rotating token, writes the row again
    with engine.connect() as conn:
        tokens = conn.execute(text("SELECT bot_token, user_token FROM slack_installations")).all()
    assert tokens and all(crypto.is_encrypted(v) for row in tokens for v in row)


# ---------------------------------------------------------------------------------------------- /metrics
def _get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


METRICS_TOKEN = "metrics-token-for-the-test-0123456789"


def test_metrics_needs_the_bearer_token_when_one_is_set(engine: Engine) -> None:
    from bot.web import metrics_app

    app = metrics_app(METRICS_TOKEN)
    server = _serve(app)
    try:
        base = f"http://127.0.0.1:{server.effective_port}"
        assert _get(f"{base}/metrics")[0] == 401
        assert _get(f"{base}/metrics", "wrong-token")[0] == 401
        assert _get(f"{base}/metrics", METRICS_TOKEN[:-1])[0] == 401
        status, body = _get(f"{base}/metrics", METRICS_TOKEN)
        assert status == 200 and "tandem_slack_sends" in body
        assert _get(f"{base}/slack/events", METRICS_TOKEN)[0] == 404  # that port answers nothing else
    finally:
        server.close()
    open_app = _serve(metrics_app(None))
    try:
        assert _get(f"http://127.0.0.1:{open_app.effective_port}/metrics")[0] == 200  # no token set: as before
    finally:
        open_app.close()


def _run(server: object) -> None:
    """The server's loop, in a thread; closing its socket under the loop's select() is how it stops (as in
    LocalStack), not an error."""
    import contextlib

    with contextlib.suppress(OSError):
        server.run()  # type: ignore[attr-defined]


def _serve(app: object) -> object:
    import threading

    from waitress import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=1)
    threading.Thread(target=_run, args=(server,), daemon=True).start()
    return server


def test_the_main_port_hides_metrics_behind_the_token_or_leaves_them_to_their_own_port(
    stack: LocalStack,
) -> None:
    from bot.web import TandemWSGI, make_server

    def served(**options: object) -> object:
        wsgi = TandemWSGI(stack.app, stack.engine, signing_secret="sandbox-signing-secret", **options)  # type: ignore[arg-type]
        server = make_server(wsgi, host="127.0.0.1", port=0, threads=1)
        import threading

        threading.Thread(target=_run, args=(server,), daemon=True).start()
        return server

    guarded = served(metrics_token=METRICS_TOKEN)
    elsewhere = served(metrics_token=METRICS_TOKEN, serve_metrics=False)
    try:
        base = f"http://127.0.0.1:{guarded.effective_port}"  # type: ignore[attr-defined]
        assert _get(f"{base}/metrics")[0] == 401 and _get(f"{base}/metrics", "nope")[0] == 401
        assert _get(f"{base}/metrics", METRICS_TOKEN)[0] == 200
        assert _get(f"{base}/healthz")[0] == 200  # health stays open
        other = f"http://127.0.0.1:{elsewhere.effective_port}"  # type: ignore[attr-defined]
        assert _get(f"{other}/metrics", METRICS_TOKEN)[0] == 404  # on its own port, not on Slack's
    finally:
        guarded.close()  # type: ignore[attr-defined]
        elsewhere.close()  # type: ignore[attr-defined]


def test_the_metrics_token_is_a_secret_setting() -> None:
    assert "metrics_token" in SECRETS and "TANDEM_METRICS_TOKEN" in VARIABLES
    settings = load_settings(TANDEM_METRICS_TOKEN=METRICS_TOKEN)
    assert settings.metrics_token == METRICS_TOKEN
    assert METRICS_TOKEN not in repr(settings) and METRICS_TOKEN in settings.secrets()
    with pytest.raises(ConfigError, match=r"^TANDEM_METRICS_TOKEN:"):
        load_settings(TANDEM_METRICS_TOKEN="short")
    assert load_settings(TANDEM_METRICS_TOKEN="").metrics_token is None

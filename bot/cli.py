"""The ``tandem`` command: db, serve, worker, clock, demo, secret-key, manifest, doctor, data-inventory."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

import click

from bot.config import ConfigError, Settings, load_settings


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        click.echo(f"tandem: configuration error: {exc}", err=True)
        sys.exit(2)


def _require(check: Callable[[], None]) -> None:
    """Run a settings check (``settings.require_slack``, ``settings.require_secret_key``); exit 2 with its one line."""
    try:
        check()
    except ConfigError as exc:
        click.echo(f"tandem: configuration error: {exc}", err=True)
        sys.exit(2)


def _logging(settings: Settings) -> None:
    from bot import logs

    logs.setup(settings.log_level, json_lines=settings.log_format == "json", secrets=settings.secrets())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Tandem: asynchronous reverse mentoring in Slack."""


@main.group()
def db() -> None:
    """Database migrations (alembic)."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: head)."""
    from bot.db import upgrade

    settings = _settings()
    upgrade(settings.database_url, revision)
    click.echo(f"database at {revision}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION (``base`` removes every table)."""
    from bot.db import downgrade

    settings = _settings()
    downgrade(settings.database_url, revision)
    click.echo(f"database at {revision}")


def _runtime(settings: Settings) -> tuple[Any, Any]:
    from bot.db import make_engine, make_session_factory

    engine = make_engine(settings.database_url)
    return engine, make_session_factory(engine)


def _metrics_server(settings: Settings, engine: Any, *, host: str, port: int) -> Any:
    """``/metrics`` alone on ``port`` (waitress, in a thread of its own), behind TANDEM_METRICS_TOKEN when set."""
    from waitress import create_server

    from bot import metrics
    from bot.web import metrics_app

    metrics.watch_outbox(engine)
    server = create_server(metrics_app(settings.metrics_token), host=host, port=port, threads=2, ident="tandem")
    threading.Thread(target=server.run, name="tandem-metrics", daemon=True).start()
    return server


@main.command()
@click.option("--host", default="0.0.0.0", show_default=True, help="interface for HTTP mode")
@click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    default=None,
    help="serve /metrics on this port only (not on the public Slack port, where it then answers 404)",
)
def serve(host: str, metrics_port: int | None) -> None:
    """Answer Slack: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on $PORT."""
    from bot.app import build_app

    settings = _settings()
    _require(settings.require_slack)
    _require(settings.require_secret_key)
    _logging(settings)
    engine, session_factory = _runtime(settings)
    app = build_app(settings, session_factory=session_factory)
    if metrics_port is not None:
        _metrics_server(settings, engine, host=host, port=metrics_port)
        click.echo(f"tandem: /metrics on {host}:{metrics_port}")
    if settings.slack_app_token:
        from bot.socket_mode import TandemSocketMode

        click.echo(f"tandem: Socket Mode (apps.connections.open at {settings.slack_api_url})")
        TandemSocketMode(app, settings.slack_app_token).start()
        return
    from bot.web import TandemWSGI, make_server

    wsgi = TandemWSGI(
        app,
        engine,
        signing_secret=settings.slack_signing_secret,
        max_body=settings.max_body_bytes,
        metrics_token=settings.metrics_token,
        serve_metrics=metrics_port is None,
    )
    server = make_server(wsgi, host=host, port=settings.port)
    install = ", /slack/install, /slack/oauth_redirect" if settings.multi_workspace else ""
    on_main = "" if metrics_port is not None else ", /metrics"
    click.echo(f"tandem: HTTP on {host}:{settings.port} (/slack/events{install}, /healthz{on_main})")
    server.run()


@main.command()
@click.option("--once", is_flag=True, help="send what is due now, then exit")
@click.option("--interval", default=1.0, show_default=True, help="seconds to wait when nothing is due")
@click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    default=None,
    help="serve Prometheus /metrics on this port (behind TANDEM_METRICS_TOKEN when set)",
)
@click.option("--metrics-host", default="0.0.0.0", show_default=True, help="interface for --metrics-port")
def worker(once: bool, interval: float, metrics_port: int | None, metrics_host: str) -> None:
    """Send queued Slack messages from the outbox."""
    from datetime import timedelta

    from bot.clock import SystemClock
    from bot.domain.delivery import Pacing
    from bot.slack.install import client_factory
    from bot.slack.sender import Worker

    settings = _settings()
    _require(settings.require_slack)
    _require(settings.require_secret_key)
    _logging(settings)
    engine, session_factory = _runtime(settings)
    if metrics_port is not None:
        _metrics_server(settings, engine, host=metrics_host, port=metrics_port)
    client_for = client_factory(settings, engine)  # the one token, or each workspace's from its installation
    pacing = Pacing(timedelta(seconds=settings.channel_interval), settings.workspace_budget)
    w = Worker(session_factory, client_for, SystemClock(), pacing=pacing)
    try:
        if once:
            click.echo(dict(w.drain()))
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        while not stop.is_set():
            try:
                counts = w.drain_once()
            except Exception:  # the database went away, say: log it, wait, try again
                logging.getLogger("tandem.worker").exception("worker round failed; retrying")
                counts = None
            if not counts:
                stop.wait(interval)
    finally:
        w.close()


@main.command()
def clock() -> None:
    """Run the per-minute tick that decides what is due (one acting clock per database)."""
    from bot.clock import SystemClock
    from bot.scheduler import run_clock

    settings = _settings()
    _require(settings.require_secret_key)
    _logging(settings)
    engine, session_factory = _runtime(settings)
    run_clock(engine, session_factory, SystemClock())


@main.command("secret-key")
@click.option(
    "--rotate",
    is_flag=True,
    help="seal again, under the first key of TANDEM_SECRET_KEY, what is stored under the others (open pulse "
    "rounds' ballots, Slack tokens); run it after putting a new key first",
)
def secret_key(rotate: bool) -> None:
    """Print a new random key for TANDEM_SECRET_KEY (32 bytes, URL-safe base64), or with --rotate re-seal what is
    stored under an older key listed after the first."""
    from bot import crypto

    if not rotate:
        click.echo(crypto.new_key())
        return
    from bot.services import rekey

    settings = _settings()
    _require(settings.require_secret_key)
    ring = crypto.Keyring.from_text(settings.secret_key or "")
    engine, session_factory = _runtime(settings)
    try:
        with session_factory() as session:
            counts = rekey.rotate(session, ring)
            session.commit()
    finally:
        engine.dispose()
    for kind, count in counts.items():
        click.echo(f"{kind}: {count}")
    left = sum(count for kind, count in counts.items() if kind.endswith("_unopenable"))
    if left:
        click.echo(
            f"tandem: {left} stored value(s) no listed key opens were left as they are; they cannot be read any more",
            err=True,
        )
    else:
        click.echo("everything stored is sealed under the first key; keys listed after it can be removed")


@main.command("works-agreement")
@click.argument("program")
@click.option("--team", default=None, help="the workspace's team id, when programs of several share the name")
@click.option("--out", default=".", show_default=True, type=click.Path(file_okay=False), help="folder to write to")
def works_agreement(program: str, team: str | None, out: str) -> None:
    """Write the draft works agreement (Betriebsvereinbarung) of PROGRAM, in German and English, from its settings
    as they are now: two Markdown files in --out."""
    from datetime import UTC, datetime
    from pathlib import Path

    from sqlalchemy import func, select

    from bot.domain.text import file_slug
    from bot.flows.notice import LANGUAGES, draft
    from bot.models import Program, Workspace

    settings = _settings()
    engine, session_factory = _runtime(settings)
    try:
        with session_factory() as session:
            query = (
                select(Program)
                .join(Workspace, Workspace.id == Program.workspace_id)
                .where(func.lower(Program.name) == " ".join(program.split()).lower())
            )
            if team:
                query = query.where(Workspace.team_id == team)
            found = list(session.scalars(query))
            if len(found) != 1:
                why = "no program is called" if not found else "programs of several workspaces are called"
                click.echo(f"tandem: {why} {program!r}" + ("" if not found else "; name one with --team"), err=True)
                sys.exit(1)
            now = datetime.now(UTC)
            folder = Path(out)
            folder.mkdir(parents=True, exist_ok=True)
            slug = file_slug(found[0].name)
            for language in LANGUAGES:
                path = folder / f"works-agreement-{slug}.{language}.md"
                path.write_text(draft(session, found[0], locale=language, now=now) + "\n", encoding="utf-8")
                click.echo(str(path))
    finally:
        engine.dispose()


@main.command()
@click.option("--http", "http", metavar="URL", default=None, help="use request URLs at this https:// address")
@click.option("--oauth", is_flag=True, help="install in several workspaces over OAuth (needs --http)")
def manifest(http: str | None, oauth: bool) -> None:
    """Print the Slack app manifest (YAML) to create the app from: Socket Mode, or request URLs with --http."""
    from bot.manifest import BadURL, render

    try:
        text = render(http, oauth=oauth)
    except BadURL as exc:
        click.echo(f"tandem: {exc}", err=True)
        sys.exit(2)
    click.echo(text, nl=False)


@main.command()
@click.option(
    "--url",
    default=None,
    metavar="URL",
    help="HTTP mode: Tandem's public address (as in the app's request URLs); doctor sends it a signed request",
)
def doctor(url: str | None) -> None:
    """Check the setup (tokens, scopes, Slack, database, admin channel, clock, outbox) and say what to fix; exit 0
    only when every check holds."""
    from bot.doctor import run

    checks = run(url=url)
    for check in checks:
        click.echo(check.line())
    failed = [c for c in checks if c.ok is not True]
    if failed:
        click.echo(f"tandem: {len(failed)} of {len(checks)} checks do not hold", err=True)
        sys.exit(1)
    click.echo(f"all {len(checks)} checks hold")


@main.command("data-inventory")
@click.option("--output", default="DATA.md", show_default=True, type=click.Path(dir_okay=False), help="file to write")
@click.option(
    "--output-de",
    default=None,
    type=click.Path(dir_okay=False),
    help="the German file to write  [default: beside --output, DATA.md -> DATA.de.md]",
)
@click.option("--check", is_flag=True, help="write nothing; exit 1 when a file differs from what would be written")
def data_inventory(output: str, output_de: str | None, check: bool) -> None:
    """Write DATA.md and DATA.de.md: every table and column, its purpose, who sees it and how long it is kept."""
    from pathlib import Path

    from bot.inventory import render

    english = Path(output)
    german = Path(output_de) if output_de else english.with_name(f"{english.stem}.de{english.suffix}")
    texts = {}
    for locale, path in (("en", english), ("de", german)):
        try:
            texts[path] = render(locale)
        except ValueError as exc:  # a table or column without an entry, or a text without its German
            click.echo(f"tandem: {exc}", err=True)
            sys.exit(2)
    if check:
        stale = [
            path
            for path, text in texts.items()
            if (path.read_text(encoding="utf-8") if path.exists() else None) != text
        ]
        command = f"tandem data-inventory --output {output}" + (f" --output-de {output_de}" if output_de else "")
        for path in stale:
            click.echo(f"tandem: {path} is out of date; run `{command}`", err=True)
        if stale:
            sys.exit(1)
        click.echo(" and ".join(str(path) for path in texts) + " are up to date")
        return
    for path, text in texts.items():
        path.write_text(text, encoding="utf-8")
        click.echo(f"wrote {path}")


@main.command()
@click.option(
    "--record",
    "record",
    type=click.Path(dir_okay=False, writable=True),
    help="write every Web API call as JSON lines to this file",
)
@click.option(
    "--report",
    "report",
    type=click.Path(file_okay=False, writable=True),
    help="write the HTML report (index.html and chart images) to this folder",
)
@click.option(
    "--transcript",
    "transcript",
    type=click.Path(dir_okay=False, writable=True),
    help="write the full transcript to this file (default: transcript.txt beside --record, else a temporary folder)",
)
@click.option("--database-url", default=None, help="database for the demo (default: a fresh SQLite file)")
@click.option("--verbose", is_flag=True, help="print the full transcript, not one line per chapter")
@click.option("--quiet", is_flag=True, help="print only the summary")
def demo(
    record: str | None,
    report: str | None,
    transcript: str | None,
    database_url: str | None,
    verbose: bool,
    quiet: bool,
) -> None:
    """Run a scripted program in the local Slack sandbox on a simulated clock: one line per chapter as it goes,
    the checks it made, where the transcript, the recorded calls and the report are, and ``demo: OK``."""
    import tempfile
    from contextlib import ExitStack
    from pathlib import Path

    from bot.demo import run_demo

    if transcript is None and not verbose:
        folder = Path(record).parent if record else Path(tempfile.mkdtemp(prefix="tandem-demo-"))
        transcript = str(folder / "transcript.txt")
    with ExitStack() as files:
        file = None
        if transcript:
            Path(transcript).parent.mkdir(parents=True, exist_ok=True)
            file = files.enter_context(open(transcript, "w", encoding="utf-8"))

        def out(line: str) -> None:
            if file is not None:
                file.write(line + "\n")
            if verbose:
                click.echo(line)

        progress = None if verbose or quiet else click.echo  # click.echo flushes each line
        if progress is not None:
            progress(f"Writing the full transcript to {transcript} (--verbose prints it here).")
        result = run_demo(database_url=database_url, record=record, report=report, out=out, progress=progress)
        if file is not None:
            file.write(result.summary() + "\n")
    click.echo(result.summary() if verbose else result.brief(transcript))
    if not result.ok:
        sys.exit(1)


if __name__ == "__main__":
    main()

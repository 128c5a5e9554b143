"""End to end: the sandbox sends signed requests to the real Bolt app behind waitress; assertions read the
sandbox's record of Web API calls and the database."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import SystemClock
from bot.domain.interview import Step
from bot.ids import ID
from bot.models import Enrollment, EnrollmentStatus, OutboxMessage, OutboxStatus, Participant, Program, ProgramStatus
from bot.sandbox.interview_driver import current_step
from bot.sandbox.server import Sandbox
from bot.sandbox.stack import BOT_TOKEN, SIGNING_SECRET, LocalStack
from bot.services import people
from bot.services.people import SlackProfile
from bot.slack.client import outbox_client
from bot.slack.sender import Worker
from tests.helpers import INTERVIEW_FIELDS, START, command_body, json_body, make_stack, signed_post


@pytest.fixture
def stack(database_url: str, session_factory) -> Iterator[LocalStack]:
    s = make_stack(database_url).start()
    yield s
    s.stop()


def _persona(stack: LocalStack, name: str, tz: str, locale: str, **kw):
    return stack.sandbox.persona(stack.sandbox.add_user(name, real_name=f"{name} Test", tz=tz, locale=locale, **kw))


def _texts(messages) -> str:
    return json.dumps(messages, ensure_ascii=False)


def test_http_entry_verifies_every_request(stack: LocalStack) -> None:
    url = stack.sandbox.app_url
    challenge = json_body({"token": "t", "challenge": "c-123", "type": "url_verification"})
    status, body = signed_post(url, challenge, content_type="application/json")
    assert status == 200 and b"c-123" in body

    status, _ = signed_post(url, challenge, content_type="application/json", secret="not-the-secret")
    assert status == 401
    status, _ = signed_post(url, challenge, content_type="application/json", timestamp=int(time.time()) - 301)
    assert status == 401

    user = _persona(stack, "Ben", "America/New_York", "en-US")
    status, body = signed_post(
        url, command_body(user_id=user.id, text="help"), content_type="application/x-www-form-urlencoded"
    )
    answer = json.loads(body)
    assert status == 200 and answer["response_type"] == "ephemeral"
    assert "/tandem help" in _texts(answer["blocks"])
    # a bad signature changed nothing, and help stores nothing about whoever asked: Tandem stores nobody
    with stack.session_factory() as s:
        assert [p.slack_user_id for p in s.scalars(select(Participant))] == []


def _cpu_ticks(thread_id: int) -> int:
    """CPU time a thread of this process has used (user + system), in clock ticks."""
    fields = Path(f"/proc/self/task/{thread_id}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime and stime: fields 14 and 15 of stat(5)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads a thread's CPU time from /proc (Linux)")
def test_the_web_server_sleeps_between_requests(stack: LocalStack) -> None:
    # Its loop waits in select() for the next request: idle for half a second, it uses next to no CPU. (It once spun on
    # select() with a zero timeout, at a whole core, taking the interpreter lock from the requests it served.)
    thread = stack._thread
    assert thread is not None and thread.native_id is not None
    before = _cpu_ticks(thread.native_id)
    time.sleep(0.5)
    used = _cpu_ticks(thread.native_id) - before
    assert used <= 5, f"the idle web server used {used} of {os.sysconf('SC_CLK_TCK') // 2} clock ticks in 0.5 s"


def test_healthz_reports_the_database(stack: LocalStack) -> None:
    with urllib.request.urlopen(f"{stack.base_url}/healthz", timeout=5) as response:
        assert response.status == 200 and json.loads(response.read())["database"] == "up"
    stack.engine.dispose()
    broken = make_stack("sqlite:////nonexistent-dir/tandem.sqlite3")
    from bot.web import TandemWSGI

    wsgi = TandemWSGI(stack.app, __import__("bot.db", fromlist=["make_engine"]).make_engine(broken.database_url))
    seen: list[str] = []
    body = b"".join(wsgi({"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"}, lambda s, h: seen.append(s)))
    assert seen == ["503 Service Unavailable"] and json.loads(body)["database"] == "down"


def test_app_home_speaks_the_users_language_and_welcomes_once(stack: LocalStack) -> None:
    ana = _persona(stack, "Ana", "Europe/Berlin", "de-DE")
    assert ana.open_home().ok
    home = ana.home()
    assert home is not None and "Willkommen bei Tandem, Ana" in _texts(home)
    assert "09:00" in _texts(home)  # 08:00 UTC is 09:00 in Berlin in January
    ana.open_messages_tab()  # the welcome DM, once: Slack's history of the DM says whether Tandem wrote before
    stack.settle()
    ana.open_home()
    ana.open_messages_tab()
    stack.advance(timedelta(minutes=5))
    welcomes = [m for m in ana.dm_messages() if "Hallo Ana" in (m.get("text") or "")]
    assert len(welcomes) == 1
    with stack.session_factory() as s:  # and nothing about her is stored: she is in no program
        assert s.scalars(select(Participant)).all() == [] and s.scalars(select(OutboxMessage)).all() == []


def test_help_command_in_english_and_german(stack: LocalStack) -> None:
    ben = _persona(stack, "Ben", "America/New_York", "en-US")
    jorg = _persona(stack, "Jorg", "Europe/Berlin", "de-AT")
    ben.slash("help")
    jorg.slash("")  # bare /tandem means help
    assert "What moves us forward by next week?" in _texts(ben.ephemeral_messages())
    assert "Was bringt uns bis nächste Woche voran?" in _texts(jorg.ephemeral_messages())


def test_unknown_command_is_escaped_and_answered_with_help(stack: LocalStack) -> None:
    joana = _persona(stack, "Joana", "Europe/Lisbon", "pt-PT")
    joana.slash("<!channel> please")
    text = _texts(joana.ephemeral_messages())
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text
    assert "/tandem help" in text


def test_home_button_opens_the_help_modal(stack: LocalStack) -> None:
    ana = _persona(stack, "Ana", "Europe/Berlin", "de-DE")
    ana.open_home()
    home = ana.home()
    assert home is not None
    assert ana.click("home.help", view_id=home["id"]).ok
    views = ana.open_views()
    assert views and views[-1]["title"]["text"] == "So funktioniert Tandem"
    assert [c["method"] for c in stack.sandbox.calls].count("views.open") == 1


def test_a_dm_gets_one_answer_even_when_slack_redelivers_it(stack: LocalStack) -> None:
    wei = _persona(stack, "Wei", "Asia/Singapore", "en-GB")
    delivery = wei.send_dm("hello?")
    assert delivery.ok
    # Slack redelivers the same event (same event_id) with a retry header
    status, _, _, _ = stack.sandbox.post_to_app(
        json.dumps(delivery.payload).encode(),
        "application/json",
        extra_headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert status == 200
    stack.settle()
    from_bot = [m for m in wei.dm_messages() if m.get("user") == stack.sandbox.bot_user_id]
    assert len(from_bot) == 1  # one answer (sent at once: Wei is in no program, so nothing about him is stored)
    assert "Thanks for your message" in _texts(from_bot[-1])


def test_tandem_introduces_itself_when_added_to_a_channel(stack: LocalStack) -> None:
    hanna = _persona(stack, "Hanna", "Europe/Berlin", "de-DE", is_admin=True)
    channel = stack.sandbox.create_channel("hosts", is_private=True, members=[hanna.id])
    assert stack.sandbox.invite(channel, stack.sandbox.bot_user_id, inviter=hanna.id).ok
    other = _persona(stack, "Otto", "Europe/Berlin", "en-US")
    stack.sandbox.invite(channel, other.id, inviter=hanna.id)  # a person joining: no intro
    stack.settle()
    posts = stack.sandbox.messages(channel)
    assert len(posts) == 1 and "Hallo, ich bin Tandem" in posts[0]["text"]


def test_a_failing_listener_tells_the_user_in_their_language(stack: LocalStack, monkeypatch, caplog) -> None:
    jorg = _persona(stack, "Jorg", "Europe/Berlin", "de-DE")
    jorg.slash("help")  # registered, German

    def boom(*_a, **_k):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("bot.flows.commands.help_answer", boom)
    with caplog.at_level(logging.ERROR, logger="tandem.errors"):
        delivery = jorg.slash("help")
    assert delivery.status == 200
    last = jorg.ephemeral_messages()[-1]
    assert "Entschuldige" in last["text"] and "database on fire" not in _texts(last)
    assert any("listener failed" in r.message for r in caplog.records)


def test_worker_honours_retry_after_and_backs_off_on_5xx(stack: LocalStack) -> None:
    wei = _persona(stack, "Wei", "Asia/Singapore", "en-GB")
    with stack.session_factory() as s:  # in a program: Tandem stores him, and answers him through the outbox
        ws = people.get_or_create_workspace(s, team_id="T0TANDEM", bot_user_id=None, now=stack.clock.now())
        s.add(Participant(workspace_id=ws.id, slack_user_id=wei.id, created_at=START, updated_at=START))
        s.commit()
    stack.sandbox.inject("chat.postMessage", status=429, times=1, retry_after=20)
    wei.send_dm("hello?")  # the answer is queued
    assert stack.settle()["retry"] == 1
    assert [m for m in wei.dm_messages() if m.get("user") == stack.sandbox.bot_user_id] == []
    stack.clock.advance(timedelta(seconds=19))  # type: ignore[attr-defined]
    assert stack.worker.drain() == {}
    stack.clock.advance(timedelta(seconds=1))  # type: ignore[attr-defined]
    assert stack.worker.drain()["sent"] == 1

    stack.sandbox.inject("chat.postMessage", status=500, times=2)
    wei.send_dm("still there?")
    assert stack.settle()["retry"] == 1
    stack.clock.advance(timedelta(seconds=2))  # type: ignore[attr-defined]
    assert stack.worker.drain()["retry"] == 1  # second 500: backoff doubles to 4 s
    stack.clock.advance(timedelta(seconds=3))  # type: ignore[attr-defined]
    assert stack.worker.drain() == {}
    stack.clock.advance(timedelta(seconds=1))  # type: ignore[attr-defined]
    assert stack.worker.drain()["sent"] == 1
    answers = [m for m in wei.dm_messages() if "Thanks for your message" in (m.get("text") or "")]
    assert len(answers) == 2


def test_a_permanent_slack_error_parks_the_message(stack: LocalStack) -> None:
    from bot.services import outbox, people

    with stack.session_factory() as s:
        ws = people.get_or_create_workspace(s, team_id="T0TANDEM", bot_user_id=None, now=stack.clock.now())
        outbox.enqueue(
            s,
            workspace_id=ws.id,
            method="chat.postMessage",
            payload={"channel": "C0NOSUCH", "text": "hi"},
            now=stack.clock.now(),
            about=outbox.NOBODY,
        )
        s.commit()
    assert stack.settle()["park"] == 1
    with stack.session_factory() as s:
        row = s.scalars(select(OutboxMessage)).one()
        assert (row.status, row.last_error, row.attempts) == (OutboxStatus.PARKED, "channel_not_found", 1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_tandem_serve_in_http_mode(database_url: str, session_factory, tmp_path: Path) -> None:
    """The real `tandem serve` process: url_verification, 401s, and a signed /tandem help."""
    with Sandbox(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN) as sandbox:
        user = sandbox.add_user("Ana", real_name="Ana Weber", tz="Europe/Berlin", locale="de-DE")
        port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": sandbox.api_url,
            "PORT": str(port),
        }
        env.pop("SLACK_APP_TOKEN", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=1) as r:
                        if r.status == 200:
                            break
                except OSError:
                    time.sleep(0.1)
            else:
                pytest.fail("tandem serve did not come up")
            events = f"{base}/slack/events"
            challenge = json_body({"token": "t", "challenge": "xyz", "type": "url_verification"})
            assert signed_post(events, challenge, content_type="application/json") == (
                200,
                b'{"challenge": "xyz"}',
            )
            assert signed_post(events, challenge, content_type="application/json", secret="wrong")[0] == 401
            assert (
                signed_post(events, challenge, content_type="application/json", timestamp=int(time.time()) - 400)[0]
                == 401
            )
            status, body = signed_post(
                events,
                command_body(user_id=user, text="help"),
                content_type="application/x-www-form-urlencoded",
            )
            assert status == 200
            answer = json.loads(body)
            assert answer["response_type"] == "ephemeral"
            assert "Was bringt uns bis nächste Woche voran?" in _texts(answer["blocks"])
        finally:
            proc.terminate()
            proc.wait(timeout=10)


APP_TOKEN = "xapp-e2e"


def _metric(port: int, name: str) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    return 0.0


def test_tandem_serve_in_socket_mode(database_url: str, session_factory, tmp_path: Path) -> None:
    """The real `tandem serve` process with SLACK_APP_TOKEN: it opens its WebSocket through SLACK_API_URL (the
    sandbox's apps.connections.open) and answers envelopes: /tandem help, App Home, an invitation's button from
    Home and the interview's first button; an event sent again (a missed acknowledgement) is handled once."""
    with Sandbox(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN, app_token=APP_TOKEN) as sandbox:
        ana = sandbox.persona(sandbox.add_user("Ana", real_name="Ana Weber", tz="Europe/Berlin", locale="de-DE"))
        now = datetime.now(UTC)
        with session_factory() as s:  # Ana is invited to an active program
            workspace = people.get_or_create_workspace(
                s, team_id=sandbox.team_id, bot_user_id=sandbox.bot_user_id, now=now
            )
            program = Program(
                workspace_id=workspace.id,
                name="Pilot 2027",
                status=ProgramStatus.ACTIVE,
                learning_fields=INTERVIEW_FIELDS,
                created_at=now,
                updated_at=now,
            )
            participant = people.get_or_register(
                s,
                team_id=sandbox.team_id,
                user_id=ana.id,
                bot_user_id=sandbox.bot_user_id,
                lookup=lambda _uid: SlackProfile("Ana", ana.tz, ana.locale),
                now=now,
            )
            s.add(program)
            s.flush()
            enrollment = Enrollment(
                program_id=program.id,
                participant_id=participant.id,
                status=EnrollmentStatus.INVITED,
                invited_at=now,
                last_activity_at=now,
            )
            s.add(enrollment)
            s.commit()
            enrollment_id = enrollment.id
        metrics_port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_API_URL": sandbox.api_url,
        }
        log = (tmp_path / "serve.log").open("w")
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--metrics-port", str(metrics_port)],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            sandbox.wait_for(lambda: sandbox.link is not None and sandbox.link.connections(), timeout=30)
            [opened] = sandbox.calls_to("apps.connections.open")
            assert opened["ok"] and opened["token"] == APP_TOKEN

            # /tandem help: the acknowledgement's payload is the answer, shown to Ana alone
            assert ana.slash("help").ok
            answer = ana.ephemeral_messages()[-1]
            assert "Was bringt uns bis nächste Woche voran?" in _texts(answer["blocks"])

            # App Home: the invitation, with its buttons
            home = ana.open_home()
            assert home.ok
            sandbox.wait_for(lambda: ana.home() is not None and ID.INVITE_JOIN.value in _texts(ana.home()))

            # Slack sends the same event again (its acknowledgement went missing): acknowledged, not handled again
            assert sandbox.redeliver(home.payload).ok
            assert _metric(metrics_port, "tandem_events_duplicate_total") == 1
            assert sandbox.link is not None
            again = sandbox.link.envelopes[-1]
            assert (again["payload"]["event_id"], again["retry_attempt"]) == (home.event_id, 1)

            # "Join" on Home starts the interview; its first step is queued for the worker
            assert ana.click(ID.INVITE_JOIN).ok

            def step() -> str | None:
                with session_factory() as s:
                    row = s.get(Enrollment, enrollment_id)
                    return row.interview_step if row and row.status == EnrollmentStatus.INTERVIEWING else None

            assert sandbox.wait_for(step) == "settings"
            worker = Worker(
                session_factory, lambda _team: outbox_client(token=BOT_TOKEN, base_url=sandbox.api_url), SystemClock()
            )
            try:
                sent = worker.drain()
            finally:
                worker.close()
            assert sent["sent"] == 1, sent
            first = current_step(ana)
            assert first is not None and first[0] is Step.SETTINGS
            assert ana.click(ID.INTERVIEW_SETTINGS_OK, message=first[1]).ok
            assert sandbox.wait_for(lambda: step() == "role")
            assert _metric(metrics_port, 'tandem_requests_total{kind="interaction"}') == 2
            assert _metric(metrics_port, 'tandem_requests_total{kind="command"}') == 1
            assert not sandbox.problems
            assert all(c["ok"] for c in sandbox.calls), [c for c in sandbox.calls if not c["ok"]]
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            log.close()
            print((tmp_path / "serve.log").read_text())

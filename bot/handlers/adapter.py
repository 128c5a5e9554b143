"""The route adapter: turns the route table (``bot.routes``) into Bolt listeners.

For every request it builds one ``Request`` (the session and clock from the middleware, the caller resolved once,
when first asked), enforces the route's access class before the entry runs, and shows the entry's ``Result``:

- ADMIN: the caller is a host (``bot.services.hosts.authorize``; in the admin channel, or anywhere for a modal);
- SETUP: a workspace admin or owner, or a host (``bot.services.hosts.may_set_up``); anyone else only where the
  answer changes nothing (the admin channel's own state, or "add Tandem to the channel first");
- PAIR and SELF: someone Tandem stores (nobody else has a pair, an invitation, an interview or a card); the flow
  then checks that what the value names is the caller's;
- OWN, PUBLIC, SLACK: nothing before the entry (it acts on the caller alone, shows nothing personal, or is Slack's).

A refusal changes nothing and is said in words: as the command's answer, under the clicked message, or on the
modal's first field (the modal stays open, nothing typed is lost). A route without a class cannot be declared
(``bot.routes.Route``), and ``register`` refuses a table that routes an id twice: the app does not start.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.access import Access, Surface
from bot.blocks.admin import note
from bot.blocks.common import not_yours, refused_modal
from bot.clock import Clock
from bot.flows import commands
from bot.flows.host import authorize_host, refusal_note
from bot.flows.result import Result
from bot.handlers import errors, middleware
from bot.handlers.home import publish_home
from bot.handlers.request import Request
from bot.i18n import locale_from_slack
from bot.routes import ANY, ROUTES, Route, table
from bot.services import hosts, roles
from bot.slack import direct

log = logging.getLogger(__name__)
ERROR_MAX = 2000  # a modal field error's length, at most (Slack's limit; the refusals are far shorter)


def register_all(
    app: App, *, session_factory: sessionmaker[Session], clock: Clock, routes: tuple[Route, ...] = ROUTES
) -> None:
    """The middleware (a session and the clock per request, each event once, the early ack), the error handler,
    and every route."""
    middleware.register(app, session_factory=session_factory, clock=clock)
    errors.register(app, session_factory=session_factory)
    register(app, routes)


def register(app: App, routes: tuple[Route, ...] = ROUTES) -> None:
    by_key = table(routes)  # an id routed twice: ValueError, the app does not start
    words = {k[1]: r for k, r in by_key.items() if k[0] is Surface.COMMAND}
    admin_words = {k[1]: r for k, r in by_key.items() if k[0] is Surface.ADMIN_COMMAND}
    if ANY not in words or ANY not in admin_words:
        raise ValueError("the route table needs a route for any other /tandem word and /tandem admin word")
    app.command("/tandem")(_command_listener(words, admin_words))
    store = app.installation_store
    # Bolt asks every listener in turn whether a request is its own (about 7 us each): the few event listeners go
    # first, so an event (App Home opened, a DM) is not checked against the hundred buttons and modals; the rest
    # keep the table's order. No two surfaces match the same request, so the order changes nothing else.
    ordered = sorted(by_key.items(), key=lambda item: item[0][0] is not Surface.EVENT)
    for (surface, id_), route in ordered:
        if surface is Surface.ACTION:
            app.action(id_)(_click_listener(route))
        elif surface is Surface.SHORTCUT:
            app.shortcut(id_)(_shortcut_listener(route))
        elif surface is Surface.VIEW:
            app.view(id_)(_submit_listener(route))
        elif surface is Surface.EVENT:
            app.event(id_)(_event_listener(route, store))
        elif surface not in (Surface.COMMAND, Surface.ADMIN_COMMAND):
            raise ValueError(f"no listener for {surface.value} routes")


# -- building the request --------------------------------------------------------------------------------------
def _request(surface: Surface, name: str, context: BoltContext, client: WebClient, **parts: Any) -> Request:
    return Request(
        surface=surface,
        name=name,
        session=context["db"],
        now=context["clock"].now(),
        client=client,
        context=context,
        team_id=context.team_id or "",
        user_id=context.user_id or "",
        bot_user_id=context.bot_user_id,
        **parts,
    )


# -- the access check ------------------------------------------------------------------------------------------
def run(route: Route, req: Request) -> Result:
    """The route's class enforced, then its entry. A host's request runs in their scope (``roles.host_request``):
    should it read a row of a program they do not host, it is refused as a program they cannot see, and nothing
    it did is kept."""
    with roles.host_request():
        refusal = refused(route, req)
        if refusal is not None:
            return refusal
        try:
            return route.entry(req)
        except roles.OutOfScope:
            req.session.rollback()
            return _on_modal(req, Result(message=note(req.host.locale, "program_missing")))


def refused(route: Route, req: Request) -> Result | None:
    """Why ``req`` may not use ``route`` (a Result that says so), or None."""
    scope = req.value if req.surface is Surface.ACTION else str(req.meta.get("scope") or "")
    cls = route.access_for(scope)
    if cls is None:
        return _not_yours(route, req)
    if cls is Access.ADMIN:
        _workspace, refusal = authorize_host(req.session, req.host, req.slack, req.now, anywhere=_anywhere(req))
        return None if refusal is None else _on_modal(req, refusal)
    if cls is Access.SETUP:
        verdict = hosts.may_set_up(
            req.session,
            team_id=req.team_id,
            bot_user_id=req.bot_user_id,
            user_id=req.user_id,
            is_workspace_admin=lambda: req.slack.is_workspace_admin(req.user_id),
            slack=req.slack,
            now=req.now,
        )
        if verdict.ok or verdict.workspace.admin_channel_id == req.channel_id:
            return None  # in the admin channel itself, setup only says what the channel is (for its members)
        if req.channel_id and req.slack.channel_status(req.channel_id) is None:
            return None  # Tandem is not in the channel: the flow says to add it first, and changes nothing
        return Result(message=refusal_note(req.host.locale, verdict))
    if cls in (Access.PAIR, Access.SELF) and req.stored is None:
        return _not_yours(route, req)
    return None


def _anywhere(req: Request) -> bool:
    """A modal has no channel: a host may submit it anywhere (the button that opened it was checked)."""
    return req.surface is Surface.VIEW


def _not_yours(route: Route, req: Request) -> Result:
    """Refused in the route's words for "not yours" (or the general ones), in the caller's language; nobody is
    stored by it."""
    stored = req.stored
    locale = stored.locale if stored is not None else locale_from_slack(req.lookup(req.user_id).slack_locale)
    return _on_modal(req, Result(message=(route.refusal or not_yours)(locale)))


def _on_modal(req: Request, refusal: Result) -> Result:
    """A refusal of a modal is shown on its first field (the modal stays open)."""
    if req.surface is not Surface.VIEW or refusal.errors or refusal.message is None:
        return refusal
    field = next((b.get("block_id") for b in req.view.get("blocks") or [] if b.get("type") == "input"), None)
    text = str(refusal.message.get("text") or "")
    if field:
        return Result(errors={field: text[:ERROR_MAX] or "-"})
    return Result(view=refused_modal(req.host.locale, refusal.message))


# -- the listeners ---------------------------------------------------------------------------------------------
def _command_listener(words: dict[str, Route], admin_words: dict[str, Route]):  # type: ignore[no-untyped-def]
    def on_tandem(ack: Ack, command: dict, context: BoltContext, client: WebClient) -> None:
        """The answer (shown only to the caller) is the acknowledgement; a modal opens after it, with the command's
        trigger. (Should the answer take longer than Slack waits, it follows through the response_url: see
        ``bot.handlers.middleware``.)"""
        parsed = commands.parse(command.get("text"))
        if parsed.name == "admin":
            word = (parsed.args.split() or ["help"])[0].lower()
            route = admin_words.get(word) or admin_words[ANY]
            req = _request(
                Surface.ADMIN_COMMAND, word, context, client, command=command, args=parsed.args.strip()[len(word) :]
            )
        else:
            route = words.get(parsed.name) or words[ANY]
            req = _request(Surface.COMMAND, parsed.name, context, client, command=command, args=parsed.args)
        result = run(route, req)
        if result.message is not None:
            ack(response_type="ephemeral", **result.message)
        else:
            ack()
        if result.view is not None:
            client.views_open(trigger_id=command["trigger_id"], view=result.view)
        after(req, result)

    return on_tandem


def _click_listener(route: Route):  # type: ignore[no-untyped-def]
    def on_click(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
        ack()
        req = _request(Surface.ACTION, str(action.get("action_id") or ""), context, client, body=body, action=action)
        show(req, run(route, req))

    return on_click


def _shortcut_listener(route: Route):  # type: ignore[no-untyped-def]
    def on_shortcut(ack: Ack, body: dict, shortcut: dict, context: BoltContext, client: WebClient) -> None:
        ack()
        name = str(shortcut.get("callback_id") or "")
        req = _request(Surface.SHORTCUT, name, context, client, body=body, shortcut=shortcut)
        show(req, run(route, req))

    return on_shortcut


def _submit_listener(route: Route):  # type: ignore[no-untyped-def]
    def on_submit(ack: Ack, body: dict, view: dict, context: BoltContext, client: WebClient) -> None:
        req = _request(Surface.VIEW, str(view.get("callback_id") or ""), context, client, body=body, view=view)
        result = run(route, req)
        if result.errors:
            ack(response_action="errors", errors=result.errors)
            return
        if result.push is not None:
            ack(response_action="push", view=result.push)
        elif result.view is not None:
            ack(response_action="update", view=result.view)
        else:
            ack()
        after(req, result)

    return on_submit


def _event_listener(route: Route, store: Any):  # type: ignore[no-untyped-def]
    def on_event(body: dict, event: dict, context: BoltContext, client: WebClient) -> None:
        context["tandem_installation_store"] = store
        req = _request(Surface.EVENT, str(event.get("type") or ""), context, client, body=body, event=event)
        after(req, run(route, req))

    return on_event


# -- showing a result ------------------------------------------------------------------------------------------
def show(req: Request, result: Result) -> None:
    """After a click or a shortcut (already acknowledged): the modal, the clicked message replaced, the message
    for the caller alone (where there is a response_url: App Home and modals have none), then ``after``."""
    if result.view is not None and req.trigger_id:
        req.client.views_open(trigger_id=req.trigger_id, view=result.view)
    clicked_in = (req.body.get("view") or {}).get("id")
    if result.update is not None and clicked_in:
        req.client.views_update(view_id=clicked_in, view=result.update)
    respond = req.context.respond
    if respond is not None:
        if result.replace is not None:
            respond(replace_original=True, **result.replace)
        if result.message is not None:
            respond(replace_original=False, response_type="ephemeral", **result.message)
    after(req, result)


def after(req: Request, result: Result) -> None:
    """What follows every answer: the caller's Home, a DM to them, messages and Home tabs for others (sent at once,
    never stored), and the work that runs after Slack was answered."""
    if result.home is not None:
        publish_home(req.client, req.session, participant=result.home, now=req.now)
    if result.dm is not None:
        direct.answer(req.client, channel=direct.dm_channel(req.client, req.user_id), message=result.dm)
    for channel, message in result.notices:
        req.client.chat_postMessage(channel=channel, **message)
    for user_id, view in result.homes:
        req.client.views_publish(user_id=user_id, view=view)
    if result.then is not None:
        later = result.then()
        if req.surface is Surface.VIEW:
            if later.view is not None:
                req.client.views_update(view_id=req.view["id"], view=later.view)
            after(req, replace(later, view=None))
        else:
            show(req, later)

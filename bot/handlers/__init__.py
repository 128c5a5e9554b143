"""Slack's side of Tandem: the route adapter (``adapter``: the route table of ``bot.routes`` as Bolt listeners, each
access class enforced, each Result shown), the entries it calls (``admin``, ``participants``, ``commands``,
``events``), the request they read (``request``), the middleware and the error handler."""

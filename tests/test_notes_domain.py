"""The note rules: who may see a note where (the whole matrix), red zones, what ``/tandem note`` understands,
links, lengths and escaping, the late-cancellation pattern, and what a request for help shares."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import i18n
from bot.domain import notes as rules
from bot.domain.notes import NoteError, Place, Viewer, Visibility

V, W, P = Visibility, Viewer, Place

# The matrix written out by hand, independently of the code: for a note that is NOT red, who sees it where.
# (Red notes: the same at HOME and EXPORT, nowhere else.)
NOT_RED: dict[tuple[Place, Visibility], set[Viewer]] = {
    (P.HOME, V.PRIVATE): {W.AUTHOR},
    (P.HOME, V.PAIR): {W.AUTHOR, W.PARTNER},
    (P.HOME, V.HOSTS): {W.AUTHOR, W.PARTNER},
    (P.HOME, V.PROGRAM): {W.AUTHOR, W.PARTNER},
    (P.EXPORT, V.PRIVATE): {W.AUTHOR},
    (P.EXPORT, V.PAIR): {W.AUTHOR, W.PARTNER},
    (P.EXPORT, V.HOSTS): {W.AUTHOR, W.PARTNER},
    (P.EXPORT, V.PROGRAM): {W.AUTHOR, W.PARTNER},
    (P.HOST_LISTING, V.PRIVATE): set(),
    (P.HOST_LISTING, V.PAIR): set(),
    (P.HOST_LISTING, V.HOSTS): {W.HOST},
    (P.HOST_LISTING, V.PROGRAM): {W.HOST},
    (P.PROGRAM_LISTING, V.PRIVATE): set(),
    (P.PROGRAM_LISTING, V.PAIR): set(),
    (P.PROGRAM_LISTING, V.HOSTS): set(),
    (P.PROGRAM_LISTING, V.PROGRAM): {W.HOST, W.MEMBER},
    (P.DIGEST, V.PRIVATE): set(),
    (P.DIGEST, V.PAIR): set(),
    (P.DIGEST, V.HOSTS): {W.HOST},
    (P.DIGEST, V.PROGRAM): {W.HOST},
    (P.ESCALATION, V.PRIVATE): set(),
    (P.ESCALATION, V.PAIR): set(),
    (P.ESCALATION, V.HOSTS): set(),
    (P.ESCALATION, V.PROGRAM): set(),
}


def expected(visibility: Visibility, red: bool, viewer: Viewer, place: Place, shared: bool = True) -> bool:
    if (red or not shared) and place not in (P.HOME, P.EXPORT):
        return False
    return viewer in NOT_RED[(place, visibility)]


def test_the_matrix_covers_every_place_and_visibility() -> None:
    assert set(NOT_RED) == set(itertools.product(Place, Visibility))


@pytest.mark.parametrize(
    ("visibility", "red", "viewer", "place", "shared"),
    list(itertools.product(Visibility, (False, True), Viewer, Place, (False, True))),
)
def test_may_see_is_the_matrix(visibility: Visibility, red: bool, viewer: Viewer, place: Place, shared: bool) -> None:
    assert rules.may_see(visibility, red=red, viewer=viewer, place=place, shared=shared) is expected(
        visibility, red, viewer, place, shared
    )


@pytest.mark.parametrize("place", [p for p in Place if p not in rules.PAIR_PLACES])
@pytest.mark.parametrize("visibility", list(Visibility))
def test_nothing_leaves_the_pair_unless_both_agree(place: Place, visibility: Visibility) -> None:
    """Not shared (asked, declined, or never asked): no relation outside the pair sees it, the default included."""
    for viewers in ALL_VIEWER_SETS:
        assert not rules.visible(visibility, red=False, viewers=viewers, place=place, shared=False)
        assert not rules.visible(visibility, red=False, viewers=viewers, place=place)


def test_only_notes_that_would_leave_the_pair_ask_the_partner() -> None:
    assert [v for v in Visibility if rules.needs_consent(v, red=False)] == [V.HOSTS, V.PROGRAM]
    assert not any(rules.needs_consent(v, red=True) for v in Visibility)


ALL_VIEWER_SETS = [set(c) for n in range(1, len(Viewer) + 1) for c in itertools.combinations(Viewer, n)]


@pytest.mark.parametrize("place", [p for p in Place if p not in rules.PAIR_PLACES])
@pytest.mark.parametrize("visibility", list(Visibility))
def test_red_content_never_reaches_a_place_outside_the_pair(place: Place, visibility: Visibility) -> None:
    """Whoever reads (any combination of relations, a host who is also the author included), red stays in."""
    for viewers in ALL_VIEWER_SETS:
        assert not rules.visible(visibility, red=True, viewers=viewers, place=place, shared=True)


@pytest.mark.parametrize("place", list(Place))
def test_a_red_note_shared_with_hosts_never_reaches_a_host(place: Place) -> None:
    assert not rules.may_see(V.HOSTS, red=True, viewer=W.HOST, place=place, shared=True)
    assert not rules.may_see(V.PROGRAM, red=True, viewer=W.HOST, place=place, shared=True)
    assert not rules.may_see(V.PROGRAM, red=True, viewer=W.MEMBER, place=place, shared=True)


@pytest.mark.parametrize("red", [False, True])
@pytest.mark.parametrize("place", list(Place))
def test_private_notes_reach_their_author_alone(red: bool, place: Place) -> None:
    for viewers in ALL_VIEWER_SETS:
        shown = rules.visible(V.PRIVATE, red=red, viewers=viewers, place=place, shared=True)
        assert shown == (W.AUTHOR in viewers and place in rules.PAIR_PLACES)


def test_outsiders_and_escalations_never_get_a_note() -> None:
    for visibility, red, place in itertools.product(Visibility, (False, True), Place):
        assert not rules.may_see(visibility, red=red, viewer=W.OUTSIDER, place=place, shared=True)
    for visibility, red, viewer in itertools.product(Visibility, (False, True), Viewer):
        assert not rules.may_see(visibility, red=red, viewer=viewer, place=P.ESCALATION, shared=True)


@given(
    st.sampled_from(list(Visibility)),
    st.booleans(),
    st.sets(st.sampled_from(list(Viewer)), min_size=1),
    st.sampled_from(list(Place)),
)
def test_visible_is_any_relation(visibility: Visibility, red: bool, viewers: set[Viewer], place: Place) -> None:
    assert rules.visible(visibility, red=red, viewers=viewers, place=place, shared=True) == any(
        expected(visibility, red, v, place) for v in viewers
    )


# -- red topics -------------------------------------------------------------------------------------------------
def test_topic_keys_ignore_case_spacing_and_a_hash() -> None:
    assert rules.topic_key("  Budget  Talks ") == rules.topic_key("#budget talks") == "budget talks"
    assert rules.topic_key("") is None and rules.topic_key(None) is None


def test_a_note_under_a_red_topic_is_red() -> None:
    assert rules.is_red(note_red=False, key="budget", red_topics={"budget"})
    assert rules.is_red(note_red=True, key=None, red_topics=set())
    assert not rules.is_red(note_red=False, key="budget", red_topics={"hiring"})
    assert not rules.is_red(note_red=False, key=None, red_topics={"budget"})


# -- /tandem note ... --------------------------------------------------------------------------------------------
def test_parse_topic_flags_text_and_links() -> None:
    parsed = rules.parse_note("[Budget] we mapped the approvals https://example.com/flow. #hosts #red #design")
    assert parsed.error is None and parsed.draft is not None
    assert parsed.draft.topic == "Budget"
    assert parsed.draft.visibility is V.HOSTS
    assert parsed.draft.red is True
    assert parsed.draft.text == "we mapped the approvals https://example.com/flow. #design"
    assert parsed.draft.links == ("https://example.com/flow",)


@pytest.mark.parametrize(
    ("flag", "visibility"),
    [("#private", V.PRIVATE), ("#Privat", V.PRIVATE), ("#pair", V.PAIR), ("#paar", V.PAIR), ("#hosts", V.HOSTS),
     ("#program", V.PROGRAM), ("#PROGRAMM", V.PROGRAM), ("", V.PAIR)],
)  # fmt: skip
def test_visibility_flags_in_both_languages(flag: str, visibility: Visibility) -> None:
    parsed = rules.parse_note(f"a thought {flag}")
    assert parsed.draft is not None and parsed.draft.visibility is visibility and parsed.draft.text == "a thought"


def test_rot_is_red_and_other_hashtags_stay_text() -> None:
    parsed = rules.parse_note("#rot #nocode tools")
    assert parsed.draft is not None and parsed.draft.red and parsed.draft.text == "#nocode tools"


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("", NoteError.EMPTY),
        ("#red #hosts", NoteError.EMPTY),
        ("text #hosts #private", NoteError.CONFLICT),
        ("x" * (rules.TEXT_MAX + 1), NoteError.TOO_LONG),
        ("[" + "t" * (rules.TOPIC_MAX + 1) + "] text", NoteError.TOPIC_TOO_LONG),
        (" ".join(f"https://e.com/{i}" for i in range(rules.LINKS_MAX + 1)), NoteError.TOO_MANY_LINKS),
    ],
)
def test_bad_notes_are_refused_with_a_reason(raw: str, error: NoteError) -> None:
    parsed = rules.parse_note(raw)
    assert parsed.draft is None and parsed.error is error


def test_the_limits_themselves_are_fine() -> None:
    assert rules.parse_note("x" * rules.TEXT_MAX).draft is not None
    assert rules.parse_note("[" + "t" * rules.TOPIC_MAX + "] ok").draft is not None
    assert rules.parse_note(" ".join(f"https://e.com/{i}" for i in range(rules.LINKS_MAX))).draft is not None


def test_links_only_is_a_note() -> None:
    parsed = rules.check(text="", topic=None, visibility=V.PAIR, red=False, links=["https://files.example/sketch.png"])
    assert parsed.draft is not None and parsed.draft.links == ("https://files.example/sketch.png",)


def test_slack_formatting_becomes_plain_and_honest() -> None:
    """Disguised links show their target; mentions their name; entities the characters typed."""
    assert rules.from_slack("see <https://evil.example|bank>") == "see bank (https://evil.example)"
    assert (
        rules.from_slack("<https://a.example|a.example> <https://b.example>") == "https://a.example https://b.example"
    )
    assert rules.from_slack("hi <@U123ABC|ana> in <#C0ABC|general>") == "hi @ana in #general"
    assert rules.from_slack("&lt;!channel&gt; &amp; more") == "<!channel> & more"
    assert rules.from_slack("<mailto:a@b.example|write me>") == "write me"


def test_links_field_one_per_line() -> None:
    links, bad = rules.parse_links_field("https://a.example\n\n<https://b.example|b>")
    assert (links, bad) == (("https://a.example",), "b (https://b.example)")  # a labelled line is not a bare link
    links, bad = rules.parse_links_field("https://a.example\n<https://b.example>\nhttps://a.example")
    assert (links, bad) == (("https://a.example", "https://b.example"), None)
    links, bad = rules.parse_links_field("https://a.example\njavascript:alert(1)")
    assert bad == "javascript:alert(1)"


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "https://x|label", "https://a b", "ftp://x.example", "https://x.example/<", "http://"],
)
def test_unsafe_links_are_not_links(url: str) -> None:
    assert not rules.is_safe_link(url)


def test_extract_links_drops_trailing_punctuation_and_repeats() -> None:
    text = "see https://a.example/x), and https://a.example/x. then (https://b.example/y?q=1&r=2)."
    assert rules.extract_links(text) == ("https://a.example/x", "https://b.example/y?q=1&r=2")


def test_topic_command() -> None:
    assert rules.parse_topic_command("[Budget talks]") == "Budget talks"
    assert rules.parse_topic_command("  hiring  plans ") == "hiring plans"
    assert rules.parse_topic_command("  ") is None


@given(st.text(max_size=300))
def test_parsing_never_crashes_and_never_keeps_a_flag(raw: str) -> None:
    parsed = rules.parse_note(raw)
    assert (parsed.draft is None) != (parsed.error is None)
    if parsed.draft is not None:
        words = {w.lower() for w in parsed.draft.text.split()}
        assert not words & {f"#{f}" for f in rules.FLAGS}
        assert all(rules.is_safe_link(u) for u in parsed.draft.links)


# -- escaping -----------------------------------------------------------------------------------------------------
def test_note_text_is_escaped_in_mrkdwn() -> None:
    text = rules.parse_note("<!channel> look <https://evil.example|bank>").draft.text  # type: ignore[union-attr]
    shown = i18n.text("en", "notes", "note_text", red=False, topic=None, text=text)
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    assert "|bank>" not in shown and "bank (https://evil.example)" in shown


def test_markdown_escape_defuses_links_and_html() -> None:
    assert rules.markdown_escape("[bank](https://evil) <b>x</b> *y*") == (r"\[bank\](https://evil) \<b\>x\</b\> \*y\*")


# -- late cancellations -------------------------------------------------------------------------------------------
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def _late(i: int, who: int, days_ago: float, escalated: bool = False) -> rules.LateCancellation:
    return rules.LateCancellation(
        id=i, participant_id=who, created_at=NOW - timedelta(days=days_ago), escalated=escalated
    )


def test_two_late_cancellations_within_six_weeks_make_a_pattern() -> None:
    rows = [_late(1, 7, 3), _late(2, 7, 40), _late(3, 8, 1), _late(4, 9, 2), _late(5, 9, 43)]
    assert rules.late_patterns(rows, now=NOW) == {7: [1, 2]}


def test_counted_ones_never_count_again() -> None:
    rows = [_late(1, 7, 3, escalated=True), _late(2, 7, 4, escalated=True), _late(3, 7, 1)]
    assert rules.late_patterns(rows, now=NOW) == {}
    assert rules.late_patterns([*rows, _late(4, 7, 0)], now=NOW) == {7: [3, 4]}


def test_the_window_edge() -> None:
    assert rules.late_patterns([_late(1, 7, 42), _late(2, 7, 1)], now=NOW) == {}
    assert rules.late_patterns([_late(1, 7, 41.99), _late(2, 7, 1)], now=NOW) == {7: [1, 2]}


@given(
    rows=st.lists(
        st.tuples(
            st.integers(1, 3),
            st.timedeltas(timedelta(weeks=-8), timedelta(weeks=8)),
            st.booleans(),
        ),
        max_size=8,
    ),
    ignore=st.sets(st.integers(1, 3)),
)
def test_next_late_pattern_is_when_one_next_forms(rows: list[tuple[int, timedelta, bool]], ignore: set[int]) -> None:
    late = [
        rules.LateCancellation(id=i, participant_id=pid, created_at=NOW + at, escalated=escalated)
        for i, (pid, at, escalated) in enumerate(rows)
    ]
    moment = rules.next_late_pattern(late, now=NOW, ignore=ignore)

    def found(at: datetime) -> bool:
        return bool(set(rules.late_patterns(late, now=at)) - ignore)

    # the moments the rule can change at: each cancellation's, and its leaving the window; and just before them
    edges = {t for r in late for t in (r.created_at, r.created_at + rules.LATE_WINDOW)}
    edges |= {t - timedelta(microseconds=1) for t in edges} | {NOW, NOW + timedelta(weeks=20)}
    assert not any(found(t) for t in edges if t >= NOW and (moment is None or t < moment))
    assert moment is None or found(moment)


# -- asking for help ----------------------------------------------------------------------------------------------
def test_only_what_was_chosen_is_shared() -> None:
    common = {"name": "Ana", "partners": ["Jörg"], "programs": ["Pilot 2027"]}
    assert rules.shared_with_hosts(text="  ", chosen=[], **common) == {}  # type: ignore[arg-type]
    assert rules.shared_with_hosts(text="It's hard", chosen=["name"], **common) == {  # type: ignore[arg-type]
        "text": "It's hard",
        "name": "Ana",
    }
    assert rules.shared_with_hosts(text=None, chosen=["partner", "program", "bogus"], **common) == {  # type: ignore[arg-type]
        "partner": "Jörg",
        "program": "Pilot 2027",
    }
    assert rules.shared_with_hosts(text=None, chosen=["partner"], name="Ana", partners=[], programs=[]) == {}


def test_a_note_for_the_hosts_under_a_red_topic_says_the_topic_holds_it_back() -> None:
    """Saved under a red topic, a note for the hosts stays in the pair after the partner's OK too: the answer says so
    (it said the note reaches the hosts once the partner agrees); a private or pair note is not held back by it."""
    from bot.blocks import notes as note_blocks

    hosts = rules.check(text="Budget talk", topic="Budget", visibility=Visibility.HOSTS, red=False, links=())
    pair = rules.check(text="Budget talk", topic="Budget", visibility=Visibility.PAIR, red=False, links=())
    assert hosts.draft is not None and pair.draft is not None
    held = note_blocks.saved_text("en", partner="Jörg", draft=hosts.draft, topic_red=True)
    assert "once Jörg agrees too (I've asked) and its topic is no longer red" in held
    assert "no longer red" not in note_blocks.saved_text("en", partner="Jörg", draft=hosts.draft)
    assert "no longer red" not in note_blocks.saved_text("en", partner="Jörg", draft=pair.draft, topic_red=True)
    german = note_blocks.saved_text("de", partner="Jörg", draft=hosts.draft, topic_red=True)
    assert "und ihr Thema nicht mehr rot ist" in german

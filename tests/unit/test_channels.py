# Which channel reaches each person in a Trust on Slack and Teams, and the router's refs.
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from bot.channels import ChatRouter, choose_channel, ref_channel
from bot.delivery import Envelope
from bot.directory import Directory, Person, Site, Trust
from bot.messages import Message

BOTH = ("slack", "teams")
EARLY, LATE = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC)


def test_the_persons_own_setting_wins() -> None:
    seen = {"slack": LATE, "teams": EARLY}
    assert choose_channel(available=BOTH, person="teams", sites=("slack",), last_seen=seen) == (
        "teams"
    )


def test_then_their_sites_setting_then_where_they_were_last_seen() -> None:
    seen = {"slack": LATE, "teams": EARLY}
    assert choose_channel(available=BOTH, sites=(None, "teams"), last_seen=seen) == "teams"
    assert choose_channel(available=BOTH, last_seen=seen) == "slack"
    assert choose_channel(available=BOTH, last_seen={"slack": EARLY, "teams": LATE}) == "teams"


def test_a_setting_for_a_channel_that_is_off_is_ignored() -> None:
    assert choose_channel(available=("slack",), person="teams") == "slack"


def test_someone_never_seen_gets_the_first_channel_or_teams_when_only_teams_knows_them() -> None:
    assert choose_channel(available=BOTH) == "slack"
    assert choose_channel(available=BOTH, last_seen={"slack": None}) == "slack"
    assert choose_channel(available=BOTH, teams_only_id=True) == "teams"


def test_no_channel_at_all_is_an_error() -> None:
    with pytest.raises(ValueError):
        choose_channel(available=())


def test_refs_name_their_channel() -> None:
    assert ref_channel("teams|a:1|1:5") == "teams"
    assert ref_channel("D0123:1700000000.000100") == "slack"


@dataclass
class Recorder:
    channel: str
    got: list[Envelope] = field(default_factory=list)

    async def deliver(self, envelope: Envelope) -> str:
        self.got.append(envelope)
        return f"{self.channel}-ref"


@dataclass
class Seen:
    when: dict[str, dict[str, datetime | None]]

    async def last_seen(self, email: str) -> dict[str, datetime | None]:
        return self.when.get(email, {})


def directory() -> Directory:
    return Directory(
        trust=Trust("T", head_of_comms=("a@x.example",), elt=("b@x.example",)),
        sites=(
            Site("oak", "Oak", "school", headteacher=("a@x.example",), channel="teams"),
            Site("ash", "Ash", "school", headteacher=("b@x.example",)),
        ),
        people=(
            Person("a@x.example", "A"),
            Person("b@x.example", "B"),
            Person("c@x.example", "C", channel="slack"),
        ),
    )


async def test_the_router_sends_through_the_chosen_channel_without_foreign_refs() -> None:
    slack, teams = Recorder("slack"), Recorder("teams")
    router = ChatRouter(
        {"slack": slack, "teams": teams}, directory, Seen({"b@x.example": {"teams": LATE}})
    )
    message = Message("n", "t")
    await router.deliver(Envelope(1, "a@x.example", message, "D1:1.2", False))
    await router.deliver(Envelope(2, "b@x.example", message, "teams|a:1|1:2", False))
    await router.deliver(Envelope(3, "c@x.example", message, "teams|a:1|1:3", False))
    assert [e.item_id for e in teams.got] == [1, 2]
    assert teams.got[0].previous is None  # a Slack message cannot be updated through Teams
    assert teams.got[1].previous == "teams|a:1|1:2"
    assert [(e.item_id, e.previous) for e in slack.got] == [(3, None)]


def test_the_directory_takes_a_channel_on_sites_and_people(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from bot.directory import check_directory, load_directory

    sample = (Path(__file__).resolve().parents[2] / "examples" / "directory.yml").read_text()
    good = sample.replace("    kind: hub", "    kind: hub\n    channel: teams", 1).replace(
        "name: Sarah Thompson,", "name: Sarah Thompson, channel: Slack,"
    )
    (tmp_path / "good.yml").write_text(good)
    loaded = load_directory(tmp_path / "good.yml")
    assert loaded.hub() and loaded.hub().channel == "teams"  # type: ignore[union-attr]
    assert loaded.person("s.thompson@willow.example").channel == "slack"  # type: ignore[union-attr]
    bad = sample.replace("name: Sarah Thompson,", "name: Sarah Thompson, channel: email,")
    (tmp_path / "bad.yml").write_text(bad)
    problems = [str(p) for p in check_directory(tmp_path / "bad.yml")]
    assert len(problems) == 1 and 'channel is "email"; it must be slack or teams' in problems[0]

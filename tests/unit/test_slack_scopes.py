# The scopes the bot checks at start are the ones app_manifest.yml asks for, and each has a
# plain sentence saying what fails without it.
from __future__ import annotations

from handlers.slack.scopes import BOT_SCOPES, WHAT_FAILS
from tests.fakes.slack_api import manifest_scopes


def test_the_start_up_check_wants_exactly_the_manifests_scopes() -> None:
    assert set(manifest_scopes()) == BOT_SCOPES


def test_every_scope_says_what_fails_without_it() -> None:
    assert set(WHAT_FAILS) == BOT_SCOPES

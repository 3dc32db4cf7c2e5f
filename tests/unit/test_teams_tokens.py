# The SDK's per-turn "App ID is not provided" warning is filtered in anonymous mode, nothing else.
from __future__ import annotations

import logging

import pytest

from handlers.teams.tokens import SDK_USER_TOKENS, AnonymousAppIdNotice, quiet_anonymous_notice


def test_only_the_app_id_notice_is_filtered(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger(SDK_USER_TOKENS)
    try:
        quiet_anonymous_notice()
        quiet_anonymous_notice()  # idempotent
        assert sum(isinstance(f, AnonymousAppIdNotice) for f in logger.filters) == 1
        with caplog.at_level(logging.INFO):
            logger.warning("App ID is not provided. Some operations may not work.")
            logger.warning("Token service refused the request")
        assert [r.getMessage() for r in caplog.records] == ["Token service refused the request"]
        assert logger.level == logging.NOTSET
    finally:
        for found in [f for f in logger.filters if isinstance(f, AnonymousAppIdNotice)]:
            logger.removeFilter(found)

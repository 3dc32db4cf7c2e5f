# Tests for the outbox RetryPolicy: exponential backoff, jitter, the cap, Retry-After, exhaustion.
from __future__ import annotations

import itertools
import random
from datetime import timedelta

import pytest

from bot.outbox import RetryPolicy

POLICY = RetryPolicy(max_attempts=12, base_seconds=5.0, max_seconds=900.0)
JITTER = (0.8, 1.2)


def seconds(delay: timedelta) -> float:
    return delay.total_seconds()


@pytest.fixture(autouse=True)
def _seeded() -> None:
    random.seed(20260312)


@pytest.mark.parametrize(("attempts", "nominal"), [(1, 5), (2, 10), (3, 20), (4, 40), (7, 320)])
def test_delay_doubles_with_each_attempt_within_the_jitter(attempts: int, nominal: float) -> None:
    low, high = nominal * JITTER[0], nominal * JITTER[1]

    for _ in range(200):
        assert low <= seconds(POLICY.delay(attempts)) <= high


def test_delay_is_jittered_not_constant() -> None:
    assert len({POLICY.delay(3) for _ in range(50)}) > 1


def test_delay_grows_on_average() -> None:
    means = [sum(seconds(POLICY.delay(n)) for _ in range(200)) / 200 for n in range(1, 8)]

    assert means == sorted(means)
    for previous, current in itertools.pairwise(means):
        assert 1.6 < current / previous < 2.4


@pytest.mark.parametrize("attempts", [0, -3])
def test_no_failed_attempt_yet_waits_about_the_base(attempts: int) -> None:
    assert 4.0 <= seconds(POLICY.delay(attempts)) <= 6.0


@pytest.mark.parametrize("attempts", [9, 12, 50, 100])
def test_delay_stops_growing_at_the_maximum(attempts: int) -> None:
    for _ in range(100):
        assert seconds(POLICY.delay(attempts)) <= 900.0 * JITTER[1]
        assert seconds(POLICY.delay(attempts)) >= 900.0 * JITTER[0]


def test_delay_never_exceeds_max_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(random, "uniform", lambda low, high: high)  # the top of the jitter

    assert seconds(POLICY.delay(20)) <= POLICY.max_seconds


def test_delay_is_never_less_than_retry_after() -> None:
    for attempts in range(1, 13):
        for retry_after in (0.5, 30.0, 61.0, 3600.0):
            assert seconds(POLICY.delay(attempts, retry_after)) >= retry_after


def test_retry_after_above_the_maximum_is_still_respected() -> None:
    assert seconds(POLICY.delay(1, retry_after=1800.0)) == 1800.0


def test_a_small_retry_after_does_not_shorten_the_backoff() -> None:
    for _ in range(100):
        assert seconds(POLICY.delay(4, retry_after=1.0)) >= 40 * JITTER[0]


@pytest.mark.parametrize("retry_after", [None, 0.0])
def test_no_retry_after_means_plain_backoff(retry_after: float | None) -> None:
    assert 4.0 <= seconds(POLICY.delay(1, retry_after)) <= 6.0


def test_delay_is_a_timedelta() -> None:
    assert isinstance(POLICY.delay(1), timedelta)


@pytest.mark.parametrize(
    ("attempts", "exhausted"), [(0, False), (1, False), (11, False), (12, True), (13, True)]
)
def test_exhausted_after_max_attempts(attempts: int, exhausted: bool) -> None:
    assert POLICY.exhausted(attempts) is exhausted


def test_a_single_attempt_policy_is_exhausted_after_one_try() -> None:
    once = RetryPolicy(max_attempts=1, base_seconds=1.0, max_seconds=1.0)

    assert not once.exhausted(0)
    assert once.exhausted(1)

"""Sliding-log arithmetic (CONVENTIONS §8): true sliding windows, rejected requests free."""

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.slidinglog import HOUR, MINUTE, LocalLimiter, SlidingLog, decide

T0 = 1_700_000_000.0


class TestSlidingLog:
    def test_admits_up_to_the_minute_limit_then_rejects(self):
        log = SlidingLog()
        decisions = [log.hit(T0 + i, 3, 100) for i in range(4)]
        assert [d.allowed for d in decisions] == [True, True, True, False]
        assert [d.remaining for d in decisions] == [2, 1, 0, 0]

    def test_slot_frees_exactly_sixty_seconds_after_the_oldest(self):
        log = SlidingLog()
        for i in range(3):
            log.hit(T0 + i, 3, 100)
        assert not log.hit(T0 + 59.999, 3, 100).allowed
        assert log.hit(T0 + 60, 3, 100).allowed
        assert not log.hit(T0 + 60.5, 3, 100).allowed

    def test_no_double_burst_at_a_clock_minute_boundary(self):
        """Fixed windows would admit 2× around :00; a sliding log does not."""
        log = SlidingLog()
        admitted = [log.hit(T0 + 59.9 + i * 0.01, 5, 100).allowed for i in range(10)]
        assert admitted.count(True) == 5

    def test_rejected_requests_consume_nothing(self):
        log = SlidingLog()
        for i in range(3):
            log.hit(T0 + i, 3, 100)
        for i in range(50):
            assert not log.hit(T0 + 10 + i * 0.1, 3, 100).allowed
        assert len(log.minute) == 3 and len(log.hour) == 3
        assert log.hit(T0 + 60, 3, 100).allowed

    def test_hour_window(self):
        log = SlidingLog()
        for i in range(5):
            assert log.hit(T0 + i * 61, 100, 5).allowed
        blocked = log.hit(T0 + 400, 100, 5)
        assert not blocked.allowed and blocked.limit == 5 and blocked.remaining == 0
        assert blocked.retry_after == 3600 - 400
        assert log.hit(T0 + 3600, 100, 5).allowed

    def test_clock_stepping_back_keeps_the_log_ordered(self):
        log = SlidingLog()
        log.hit(T0 + 10, 3, 100)
        log.hit(T0 + 5, 3, 100)
        assert list(log.minute) == [T0 + 10, T0 + 10]


class TestDecide:
    def test_binding_window_is_the_one_with_fewer_remaining(self):
        d = decide(
            allowed=True,
            count_minute=2,
            count_hour=999,
            oldest_minute=T0,
            oldest_hour=T0 - 100,
            now=T0 + 1,
            per_minute=100,
            per_hour=1000,
        )
        assert (d.limit, d.remaining) == (1000, 1)
        assert d.reset == int(T0 - 100 + HOUR)

    def test_tie_goes_to_the_minute_window(self):
        d = decide(
            allowed=True,
            count_minute=5,
            count_hour=5,
            oldest_minute=T0,
            oldest_hour=T0,
            now=T0,
            per_minute=10,
            per_hour=10,
        )
        assert (d.limit, d.remaining) == (10, 5)
        assert d.reset == int(T0 + MINUTE)

    def test_reset_is_rounded_up_and_retry_after_at_least_one(self):
        d = decide(
            allowed=False,
            count_minute=3,
            count_hour=3,
            oldest_minute=T0 + 0.2,
            oldest_hour=T0 + 0.2,
            now=T0 + 60.1,
            per_minute=3,
            per_hour=100,
        )
        assert d.reset == int(T0) + 61 and d.retry_after == 1

    def test_retry_after_waits_for_every_exhausted_window(self):
        d = decide(
            allowed=False,
            count_minute=3,
            count_hour=10,
            oldest_minute=T0 + 30,
            oldest_hour=T0,
            now=T0 + 40,
            per_minute=3,
            per_hour=10,
        )
        assert d.retry_after == 3600 - 40
        assert d.headers() == [
            (b"x-ratelimit-limit", b"3"),
            (b"x-ratelimit-remaining", b"0"),
            (b"x-ratelimit-reset", str(int(T0 + 90)).encode()),
        ]


def test_local_limiter_keys_are_independent_and_pruned():
    limiter = LocalLimiter()
    assert limiter.hit("a", T0, 1, 10).allowed
    assert not limiter.hit("a", T0 + 1, 1, 10).allowed
    assert limiter.hit("b", T0 + 1, 1, 10).allowed
    limiter.prune(T0 + 3601)
    assert len(limiter) == 0


arrivals = st.lists(st.floats(min_value=0, max_value=3 * HOUR, allow_nan=False), min_size=1, max_size=400).map(sorted)


def _in_window(times: list[float], now: float, width: float) -> int:
    """Admitted requests t with now - width < t <= now."""
    return sum(1 for t in times if now - width < t <= now)


@settings(max_examples=150, deadline=None)
@given(arrivals, st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=40))
def test_no_window_ever_admits_more_than_the_limit(times, per_minute, per_hour):
    log = SlidingLog()
    admitted = [T0 + t for t in times if log.hit(T0 + t, per_minute, per_hour).allowed]
    for now in admitted:  # the fullest window always ends at an admitted request
        assert _in_window(admitted, now, MINUTE) <= per_minute
        assert _in_window(admitted, now, HOUR) <= per_hour


@settings(max_examples=150, deadline=None)
@given(arrivals, st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=40))
def test_rejections_happen_only_when_admitted_requests_fill_a_window(times, per_minute, per_hour):
    """So rejected requests consume no quota: a request is refused only because the *admitted*
    ones already fill its minute or hour window, and headers agree with that history."""
    log = SlidingLog()
    admitted: list[float] = []
    for t in times:
        now = T0 + t
        decision = log.hit(now, per_minute, per_hour)
        in_minute = _in_window(admitted, now, MINUTE)
        in_hour = _in_window(admitted, now, HOUR)
        if decision.allowed:
            assert in_minute < per_minute and in_hour < per_hour
            admitted.append(now)
            assert decision.remaining_per_minute == per_minute - in_minute - 1
            assert decision.remaining_per_hour == per_hour - in_hour - 1
        else:
            assert in_minute >= per_minute or in_hour >= per_hour
            assert decision.retry_after >= 1
        assert decision.remaining == min(decision.remaining_per_minute, decision.remaining_per_hour)

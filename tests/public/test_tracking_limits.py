"""Track my report: input checks, the generic answer, and both rate limits (fake clock)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from dashboard.public import limits
from dashboard.public.limits import SlidingLimit
from dashboard.public.tracking import look_up, normalise_code, tracking_key
from data.publish.tracking import (
    KEY_SETTING,
    LOOKUP_SETTING,
    lookup_key,
    lookup_key_text,
    parse_lookup_key,
    tracking_digest,
)
from queries.answers import public as answers
from queries.published import DuckDBPublished
from tests.public import pubfixture as fx


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _limits(clock):
    return SlidingLimit(limits.SESSION_TRIES, limits.WINDOW_S, clock), SlidingLimit(
        limits.CASE_FAILURES, limits.CASE_WINDOW_S, clock
    )


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def test_right_code_finds_the_report_and_spaces_are_ignored(pub_layer):
    clock = Clock()
    session, per_case = _limits(clock)
    assert len(fx.CODE) == 6 and fx.CODE.isdigit()  # the codes the hotline reads out
    spaced = f" {fx.CODE[:3]} {fx.CODE[3:]}"
    got = look_up(pub_layer, fx.LOOKUP_KEY, f" {fx.CASE_NO} ", spaced, session, per_case)
    assert got.outcome == "found" and got.result.status == "closed"
    assert normalise_code(" 48 21 ") == "4821"
    full_width = look_up(
        pub_layer, fx.LOOKUP_KEY, "ＧＳ２０２６１１０２－００４２", fx.CODE.translate(FULL_WIDTH), session, per_case
    )
    assert full_width.outcome == "found"


def test_the_district_key_does_not_look_anything_up(pub_layer):
    """The digests are made under the lookup key, not the district's key K: the public side
    needs only the lookup key; K (or any other key) is recognised as the wrong key from
    pub_meta.tracking_key_id, so no right code is answered "not found" and no try is used."""
    session, per_case = _limits(Clock())
    expected = hmac.new(fx.TRACKING_KEY, b"gridscope tracking digest v1", hashlib.sha256).digest()
    assert lookup_key(fx.TRACKING_KEY) == expected == fx.LOOKUP_KEY
    digest_under_k = tracking_digest(fx.TRACKING_KEY, fx.CASE_NO, fx.CODE)
    assert answers.tracking(pub_layer, digest_under_k) is None  # K makes none of the published digests
    assert look_up(pub_layer, fx.TRACKING_KEY, fx.CASE_NO, fx.CODE, session, per_case).outcome == "not_ready"
    assert not session.blocked("session") and session.wait_s("session") == 0
    assert look_up(pub_layer, fx.LOOKUP_KEY, fx.CASE_NO, fx.CODE, session, per_case).outcome == "found"


def test_a_layer_without_the_key_fingerprint_is_not_ready(tmp_path):
    old = DuckDBPublished(fx.write_fixture(tmp_path / "old.duckdb", tracking_key_id=""))
    try:
        session, per_case = _limits(Clock())
        assert look_up(old, fx.LOOKUP_KEY, fx.CASE_NO, fx.CODE, session, per_case).outcome == "not_ready"
    finally:
        old.close()


def test_the_app_reads_only_the_lookup_key(monkeypatch):
    monkeypatch.delenv(LOOKUP_SETTING, raising=False)
    monkeypatch.setenv(KEY_SETTING, fx.TRACKING_KEY.decode())
    assert tracking_key() is None  # the district's key on the public server is not used
    monkeypatch.setenv(LOOKUP_SETTING, lookup_key_text(fx.TRACKING_KEY))
    assert tracking_key() == fx.LOOKUP_KEY
    monkeypatch.setenv(LOOKUP_SETTING, fx.TRACKING_KEY.decode())  # K pasted by mistake: refused
    assert tracking_key() is None
    with pytest.raises(ValueError, match="64 hex digits"):
        parse_lookup_key("abc123")


def test_wrong_code_and_unknown_case_get_the_same_answer(pub_layer):
    session, per_case = _limits(Clock())
    wrong = look_up(pub_layer, fx.LOOKUP_KEY, fx.CASE_NO, "000000", session, per_case)
    unknown = look_up(pub_layer, fx.LOOKUP_KEY, "NO-SUCH-CASE", fx.CODE, session, per_case)
    assert wrong == unknown
    assert wrong.outcome == "not_found" and wrong.result is None


def test_input_checks_count_no_try(pub_layer):
    session, per_case = _limits(Clock())
    assert look_up(pub_layer, fx.LOOKUP_KEY, "", "1", session, per_case).outcome == "empty"
    assert look_up(pub_layer, fx.LOOKUP_KEY, "A" * 41, "1", session, per_case).outcome == "too_long"
    assert look_up(pub_layer, None, fx.CASE_NO, fx.CODE, session, per_case).outcome == "not_ready"
    assert not session.blocked("session")


def test_five_tries_per_session_in_ten_minutes(pub_layer):
    clock = Clock()
    session, per_case = _limits(clock)
    for i in range(5):
        assert look_up(pub_layer, fx.LOOKUP_KEY, f"X{i}", "1", session, per_case).outcome == "not_found"
    limited = look_up(pub_layer, fx.LOOKUP_KEY, fx.CASE_NO, fx.CODE, session, per_case)
    assert limited.outcome == "limited" and limited.minutes == 10  # even the right code waits
    clock.now += 599
    assert look_up(pub_layer, fx.LOOKUP_KEY, fx.CASE_NO, fx.CODE, session, per_case).minutes == 1
    clock.now += 1.5
    assert look_up(pub_layer, fx.LOOKUP_KEY, fx.CASE_NO, fx.CODE, session, per_case).outcome == "found"


def test_wrong_codes_for_one_case_are_limited_across_sessions(pub_layer):
    clock = Clock()
    per_case = SlidingLimit(limits.CASE_FAILURES, limits.CASE_WINDOW_S, clock)
    for i in range(limits.CASE_FAILURES):  # each guess from a fresh session
        session = SlidingLimit(limits.SESSION_TRIES, limits.WINDOW_S, clock)
        guess = f"{i:06d}"
        assert guess != fx.CODE
        assert look_up(pub_layer, fx.LOOKUP_KEY, fx.CASE_NO, guess, session, per_case).outcome == "not_found"
    fresh = SlidingLimit(limits.SESSION_TRIES, limits.WINDOW_S, clock)
    assert look_up(pub_layer, fx.LOOKUP_KEY, fx.CASE_NO.lower(), fx.CODE, fresh, per_case).outcome == "limited"
    other = look_up(pub_layer, fx.LOOKUP_KEY, fx.OPEN_CASE_NO, fx.OPEN_CODE, fresh, per_case)
    assert other.outcome == "found" and other.result.status == "open"  # other cases unaffected
    clock.now += limits.CASE_WINDOW_S + 1
    assert look_up(pub_layer, fx.LOOKUP_KEY, fx.CASE_NO, fx.CODE, fresh, per_case).outcome == "found"


def test_the_limit_forgets_old_keys_beyond_its_size(monkeypatch):
    monkeypatch.setattr(limits, "MAX_KEYS", 3)
    limit = SlidingLimit(1, 60, Clock())
    for key in "abcd":
        limit.record(key)
    assert not limit.blocked("a") and limit.blocked("d")


def test_the_form_asks_for_the_six_digit_code_only():
    """The phone number is not kept, so its last digits are no code (and every try counts)."""
    from dashboard.public.text import tr

    zh, en = tr("pub_track_intro", "zh"), tr("pub_track_intro", "en")
    assert zh == "请输入受理时告诉您的案件编号和六位验证码。"
    assert en == "Enter the case number and the six-digit code you were given when you reported."
    assert "手机" not in zh and "phone" not in en

"""Mail-derived values always fit their columns: cut with a marker, or hashed as keys."""

from __future__ import annotations

from bounceback.storage.columns import CUT_MARK, KEY_PREFIX, clean_text, fit_key, fit_text


def test_text_over_the_limit_is_cut_with_the_marker() -> None:
    assert fit_text("short", 10) == "short"
    cut = fit_text("N" * 2000, 500)
    assert cut is not None and len(cut) == 500 and cut.endswith(CUT_MARK)
    assert fit_text(None, 5) is None


def test_keys_over_the_limit_become_distinct_stable_hashes() -> None:
    first = fit_key("<" + "m" * 5002 + ">", 998)
    second = fit_key("<" + "m" * 5001 + "n>", 998)
    assert first is not None and first.startswith(KEY_PREFIX) and len(first) == 71
    assert first != second and first == fit_key("<" + "m" * 5002 + ">", 998)
    assert fit_key("<a@b>", 998) == "<a@b>"


def test_nul_and_lone_surrogates_are_replaced() -> None:
    assert clean_text("a\x00b\udcff") == "a\ufffdb\ufffd"
    assert clean_text("fine — ✓") == "fine — ✓"

"""The digest HTML as a browser draws it: headless Chromium, light and dark.

Screenshots are kept under test-artifacts/ (gitignored) for a human to look at.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from bounceback.digest.build import build_digest
from bounceback.digest.model import DigestInput, PostingItem

ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WIDTH, HEIGHT = 800, 3000

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
    ),
]


def screenshot(page: Path, target: Path, *, dark: bool = False) -> tuple[int, int]:
    """Render page with headless Chromium into target; returns the PNG's width and height."""
    target.unlink(missing_ok=True)
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
        f"--screenshot={target}", f"--window-size={WIDTH},{HEIGHT}",
    ]  # fmt: skip
    if dark:
        command.append("--blink-settings=preferredColorScheme=0")  # 0 is dark in Blink
    subprocess.run([*command, page.as_uri()], check=True, capture_output=True, timeout=120)
    header = target.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and header[12:16] == b"IHDR"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_digest_renders_in_chromium(digest_input: DigestInput) -> None:
    hostile = PostingItem(
        title='<img src=x onerror="document.title=1">Data Analyst',
        company="</table><script>document.body.innerHTML=''</script>",
        location="Leeds", salary=None, url="javascript:alert(1)", source="Evil board",
        received_at=digest_input.period_end,
    )  # fmt: skip
    email = build_digest(replace(digest_input, postings=(*digest_input.postings, hostile)))
    ARTIFACTS.mkdir(exist_ok=True)
    page = ARTIFACTS / "digest.html"
    page.write_text(email.html, encoding="utf-8")
    blank = ARTIFACTS / "blank.html"
    blank.write_text("<!doctype html><html><body></body></html>", encoding="utf-8")

    assert screenshot(page, ARTIFACTS / "digest.png") == (WIDTH, HEIGHT)
    assert screenshot(page, ARTIFACTS / "digest-dark.png", dark=True) == (WIDTH, HEIGHT)
    assert screenshot(blank, ARTIFACTS / "blank.png") == (WIDTH, HEIGHT)
    light, dark, empty = (
        (ARTIFACTS / name).read_bytes() for name in ("digest.png", "digest-dark.png", "blank.png")
    )
    # A blank page compresses to almost nothing; a page full of text and charts does not.
    assert len(light) > 10 * len(empty) and len(light) > 100_000
    assert len(dark) > 10 * len(empty) and dark != light  # the dark-mode styles applied

    # What the browser built: the hostile posting's markup stayed text.
    dom = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
        check=True, capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip
    assert "Fresh job alerts" in dom and "For your learning diary" in dom
    assert "<script>document.body" not in dom and "javascript:alert" not in dom
    assert "&lt;img src=x" in dom

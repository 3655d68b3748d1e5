"""The review page for everyone: axe-core finds nothing serious, and a phone needs no sideways scroll.

axe-core (npm, installed by scripts/test) is injected into each page in Debian's Chromium.
Screenshots at 390 and 1280 px land in test-artifacts/review/ for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bounceback.review.server import ReviewServer
from tests.review.conftest import _missing
from tests.review.corpus import artifacts_dir

#: What the page must never have, whatever axe's version adds.
BLOCKING = ("serious", "critical")
RUN_AXE = """async () => {
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
}"""


def _pages(ids: dict[str, int]) -> dict[str, str]:
    """The pages checked: the queue, an email with gaps, an email without, the trends,
    the applications and one application's timeline."""
    return {
        "queue": "/",
        "email": f"/?m={ids['journey']}",
        "email-no-gaps": f"/?m={ids['01-ack-brightledger']}",
        "trends": "/trends",
        "applications": "/applications",
        "application": "/applications/1",
    }


@pytest.fixture
def axe_context(chromium: Any, journey_server: ReviewServer, axe_source: str) -> Iterator[Any]:
    """A browser context with axe-core injected into every page, logged in."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(script=axe_source)  # bypasses the page's CSP, as an extension would
    page = context.new_page()
    page.goto(journey_server.login_url)
    yield context
    context.close()


def test_a_missing_browser_tool_fails_in_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run"):
        _missing("axe-core is not installed")
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="axe-core is not installed"):
        _missing("axe-core is not installed")


@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_no_serious_or_critical_violations(
    axe_context: Any,
    journey_server: ReviewServer,
    journey_db: tuple[sessionmaker[Session], dict[str, int]],
    width: int,
) -> None:
    page = axe_context.pages[0]
    page.set_viewport_size({"width": width, "height": 844 if width < 500 else 900})
    found = {}
    for name, path in _pages(journey_db[1]).items():
        page.goto(journey_server.base_url + path)
        if name == "email":  # with the help open, a gap's edit form open and a toast showing
            page.keyboard.press("?")
            page.keyboard.press("Escape")
            page.keyboard.press("n")
            page.keyboard.press("e")
        violations = page.evaluate(RUN_AXE)
        found[name] = [v for v in violations if v["impact"] in BLOCKING]
    assert found == {name: [] for name in found}, found


@pytest.mark.slow
def test_a_phone_needs_no_sideways_scrolling(
    chromium: Any,
    journey_server: ReviewServer,
    journey_db: tuple[sessionmaker[Session], dict[str, int]],
) -> None:
    shots = artifacts_dir()
    context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    page.goto(journey_server.login_url)
    try:
        for name, path in _pages(journey_db[1]).items():
            page.goto(journey_server.base_url + path)
            widths = page.evaluate(
                "() => [document.documentElement.scrollWidth, document.body.scrollWidth]"
            )
            assert widths == [390, 390], (name, widths)
            page.screenshot(path=str(shots / f"phone-{name}.png"), full_page=True)
        # The queue folds away on a phone; opened, its filters fit the screen.
        page.goto(journey_server.base_url + "/")
        assert page.locator("#queue-box").get_attribute("open") is None
        page.locator("#queue-box summary").click()
        box = page.get_by_role("button", name="Filter").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") == 390
        page.screenshot(path=str(shots / "phone-queue-open.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.slow
def test_wide_screen_shows_gaps_beside_their_highlights(
    chromium: Any,
    journey_server: ReviewServer,
    journey_db: tuple[sessionmaker[Session], dict[str, int]],
) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(journey_server.login_url)
    try:
        page.goto(f"{journey_server.base_url}/?m={journey_db[1]['journey']}")
        text = page.locator("#mailtext").bounding_box()
        gaps = page.locator("#gaps").bounding_box()
        assert text is not None and gaps is not None
        assert gaps["x"] >= text["x"] + text["width"], "the gap list sits right of the email"
        assert gaps["y"] < text["y"] + text["height"] / 2, "and level with it"
        assert page.locator("details.original").count() == 0 or not page.locator(
            "details.original"
        ).get_attribute("open")
        skill = page.locator("#add-form input[name=skill]")
        skill.fill("stakeholder management")
        assert page.evaluate(
            "() => { const i = document.querySelector('#add-form input[name=skill]');"
            " return i.scrollWidth <= i.clientWidth; }"
        ), "the skill field shows a long topic whole"
        page.screenshot(path=str(artifacts_dir() / "wide-email.png"))
        page.goto(journey_server.base_url + "/trends")
        page.screenshot(path=str(artifacts_dir() / "wide-trends.png"), full_page=True)
    finally:
        context.close()

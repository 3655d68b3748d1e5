"""The review page's guards, over plain HTTP against the live server on 127.0.0.1."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bounceback.review.app import ROUTERS
from bounceback.review.security import COOKIE, load_or_create_token
from bounceback.review.server import ReviewServer
from bounceback.storage.models import Correction, Gap
from tests.review.conftest import TOKEN


@pytest.fixture
def client(review_server: ReviewServer) -> Iterator[httpx.Client]:
    """A client that has visited the login address (so it holds the session cookie)."""
    with httpx.Client(base_url=review_server.base_url) as http:
        response = http.get(f"/?token={TOKEN}")
        assert response.status_code == 303
        yield http


def _a_gap(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as session:
        return session.scalars(select(Gap.id).order_by(Gap.id)).first() or 0


def _corrections(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as session:
        return session.scalar(select(func.count(Correction.id))) or 0


def test_the_page_needs_the_token_and_swaps_it_for_a_strict_cookie(
    review_server: ReviewServer,
) -> None:
    with httpx.Client(base_url=review_server.base_url) as http:
        assert http.get("/").status_code == 403
        assert http.get("/?token=wrong").status_code == 403
        assert http.get("/trends").status_code == 403
        login = http.get(f"/?token={TOKEN}")
        assert login.status_code == 303
        assert login.headers["location"] == "/"
        cookie = login.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert TOKEN not in cookie, "the cookie holds a derived value, not the token"
        assert http.get("/").status_code == 200
    with httpx.Client(base_url=review_server.base_url) as other:
        other.cookies.set(COOKIE, "forged")
        assert other.get("/").status_code == 403


def test_server_listens_on_loopback_only(review_server: ReviewServer) -> None:
    assert review_server.sock.getsockname()[0] == "127.0.0.1"
    assert review_server.login_url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", "0.0.0.0:{port}", ""]
)
def test_foreign_host_header_is_refused(
    client: httpx.Client, review_server: ReviewServer, host: str
) -> None:
    response = client.get("/", headers={"Host": host.format(port=review_server.port)})
    assert response.status_code == 421
    assert "Tillerman" not in response.text


def test_localhost_name_is_accepted(client: httpx.Client, review_server: ReviewServer) -> None:
    assert client.get("/", headers={"Host": f"localhost:{review_server.port}"}).status_code == 200


def test_post_without_csrf_token_is_refused(
    client: httpx.Client, review_db: tuple[sessionmaker[Session], dict[str, int]]
) -> None:
    sessions, _ = review_db
    gap = _a_gap(sessions)
    before = _corrections(sessions)
    assert client.post(f"/gaps/{gap}/dismiss", data={"here": "/"}).status_code == 403
    assert client.post(f"/gaps/{gap}/dismiss", data={"csrf": "nope"}).status_code == 403
    assert _corrections(sessions) == before


def test_every_state_changing_route_wants_the_csrf_token(
    client: httpx.Client, review_server: ReviewServer
) -> None:
    posts = [
        route.path  # type: ignore[attr-defined]
        for router in ROUTERS
        for route in router.routes
        if "POST" in getattr(route, "methods", set())
    ]
    assert len(posts) == 7
    for path in posts:
        url = path.replace("{gap_id}", "1").replace("{message_id}", "1")
        assert client.post(url, data={"label": "offer"}).status_code == 403, path


def test_post_with_the_token_works_and_is_recorded(
    client: httpx.Client,
    review_server: ReviewServer,
    review_db: tuple[sessionmaker[Session], dict[str, int]],
) -> None:
    sessions, _ = review_db
    gap = _a_gap(sessions)
    response = client.post(
        f"/gaps/{gap}/dismiss", data={"csrf": review_server.guard.csrf_token, "here": "/?m=1"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/?m=1#gap-{gap}"
    with sessions.begin() as session:
        assert session.get_one(Gap, gap).status == "dismissed"
        correction = session.scalars(select(Correction)).one()
        assert (correction.kind, correction.old["status"], correction.new["status"]) == (
            "gap_dismiss",
            "auto",
            "dismissed",
        )


def test_cross_site_requests_are_refused_even_with_the_token(
    client: httpx.Client,
    review_server: ReviewServer,
    review_db: tuple[sessionmaker[Session], dict[str, int]],
) -> None:
    sessions, _ = review_db
    gap = _a_gap(sessions)
    data = {"csrf": review_server.guard.csrf_token}
    cross = {"Sec-Fetch-Site": "cross-site"}
    assert client.post(f"/gaps/{gap}/accept", data=data, headers=cross).status_code == 403
    assert client.get("/", headers=cross).status_code == 403
    same_site = {"Sec-Fetch-Site": "same-site"}  # another port on this machine
    assert client.post(f"/gaps/{gap}/accept", data=data, headers=same_site).status_code == 403
    evil = {"Origin": "http://evil.example"}
    assert client.post(f"/gaps/{gap}/accept", data=data, headers=evil).status_code == 403
    text = {"Content-Type": "text/plain"}
    body = f"csrf={review_server.guard.csrf_token}"
    assert client.post(f"/gaps/{gap}/accept", content=body, headers=text).status_code == 415
    assert _corrections(sessions) == 0


def test_a_link_followed_from_another_site_shows_nothing_but_a_way_on(
    client: httpx.Client, review_db: tuple[sessionmaker[Session], dict[str, int]]
) -> None:
    navigate = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}
    message_id = review_db[1]["01-ack-brightledger"]
    page = client.get(f"/?m={message_id}", headers=navigate)
    assert page.status_code == 200
    assert f'href="/?m={message_id}"' in page.text
    assert "Brightledger" not in page.text, "no mail shown to a cross-site navigation"
    assert client.get(f"/?m={message_id}").text.count("Brightledger") > 0  # same origin: shown
    sneaky = client.get("/%2Fevil.example/x", headers=navigate)  # path "//evil.example/x"
    assert 'href="/evil.example/x"' in sneaky.text
    fetched = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors"}
    assert client.get("/", headers=fetched).status_code == 403


def test_redirects_after_a_post_stay_on_this_site(
    client: httpx.Client, review_server: ReviewServer
) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.post(
            "/messages/1/facts",
            data={"csrf": review_server.guard.csrf_token, "here": target, "label": "rejection"},
        )
        assert response.headers["location"] == "/#facts", target


def test_security_headers_and_no_cors(client: httpx.Client) -> None:
    for path in ("/", "/trends", "/static/review.js", "/nowhere"):
        response = client.get(path, headers={"Origin": "http://evil.example"})
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
        assert "script-src 'self'" in policy and "unsafe-eval" not in policy
        assert not any(name.startswith("access-control-") for name in headers), path
    preflight = client.options(
        "/gaps/1/accept",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code in (403, 405)
    assert "access-control-allow-origin" not in preflight.headers


def test_page_escapes_what_the_email_says(
    client: httpx.Client, review_db: tuple[sessionmaker[Session], dict[str, int]]
) -> None:
    _, ids = review_db
    page = client.get(f"/?status=all&m={ids['script-tag']}").text
    assert "<script>window.__pwned" not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert 'srcdoc="' in page and 'sandbox=""' in page
    assert "http://203.0.113.7" not in client.get(f"/?status=all&m={ids['tracking-pixel']}").text


def test_token_file_is_private_and_stable(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = load_or_create_token(home)
    assert len(first) >= 40
    mode = stat.S_IMODE((home / "review-token").stat().st_mode)
    assert mode == 0o600
    assert load_or_create_token(home) == first
    (home / "review-token").chmod(0o644)
    assert load_or_create_token(home) == first
    assert stat.S_IMODE((home / "review-token").stat().st_mode) == 0o600

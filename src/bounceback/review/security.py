"""The review page's guards: a per-install token, Host and fetch-site checks, CSRF, headers.

The page is bound to 127.0.0.1, but a browser will still talk to it on behalf of any web
site the user visits. So every request must name our own host (DNS rebinding), carry the
install's secret (first as ``?token=``, then as a strict same-site cookie), and every
state-changing request must also carry the CSRF token that only our own pages contain.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

TOKEN_FILE = "review-token"
COOKIE = "bounceback_review"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
MAX_FORM_BYTES = 64 * 1024

#: Every page: nothing remote, no plugins, no framing, scripts only from our own file.
#: Inline styles are allowed for the sanitised email (the frame inherits this policy);
#: with img/font/connect limited to ourselves, CSS cannot reach the network either. Our
#: script saves changes with fetch() to this page's own origin (connect-src 'self').
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'none'",
        "connect-src 'self'",
        "media-src 'none'",
        "object-src 'none'",
        "frame-src 'self'",
        "child-src 'self'",
        "worker-src 'none'",
        "manifest-src 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def load_or_create_token(home: Path) -> str:
    """The install's review token, created once with mode 0600 under BOUNCEBACK_HOME."""
    path = home / TOKEN_FILE
    home.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        token = path.read_text(encoding="ascii").strip()
        if len(token) >= 32:
            return token
        path.unlink()
        return load_or_create_token(home)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        token = secrets.token_urlsafe(32)
        handle.write(token + "\n")
    return token


@dataclass(frozen=True, slots=True)
class Guard:
    """What a request must show: one of our host names, the session cookie, the CSRF token."""

    token: str
    port: int

    @property
    def allowed_hosts(self) -> frozenset[str]:
        """Host header values that mean us (loopback names with our port)."""
        return frozenset(f"{name}:{self.port}" for name in ("127.0.0.1", "localhost"))

    @property
    def origins(self) -> frozenset[str]:
        """Origin header values of our own pages."""
        return frozenset(f"http://{host}" for host in self.allowed_hosts)

    def _derive(self, purpose: str) -> str:
        return hmac.new(self.token.encode(), purpose.encode(), hashlib.sha256).hexdigest()

    @property
    def session_value(self) -> str:
        """The cookie value that proves a browser was given the token."""
        return self._derive("session")

    @property
    def csrf_token(self) -> str:
        """The token our forms carry; a page on another site cannot read it."""
        return self._derive("csrf")

    def host_ok(self, host: str | None) -> bool:
        """True for our own host names (rejects DNS-rebinding names)."""
        return (host or "").lower() in self.allowed_hosts

    def token_ok(self, given: str | None) -> bool:
        """True if ``given`` is the install's token."""
        return bool(given) and hmac.compare_digest(str(given), self.token)

    def cookie_ok(self, given: str | None) -> bool:
        """True if ``given`` is our session cookie value."""
        return bool(given) and hmac.compare_digest(str(given), self.session_value)

    def csrf_ok(self, given: str | None) -> bool:
        """True if ``given`` is the CSRF token."""
        return bool(given) and hmac.compare_digest(str(given), self.csrf_token)

    def origin_ok(self, origin: str | None) -> bool:
        """A state-changing request's Origin, when sent, must be ours."""
        return origin is None or origin in self.origins


def parse_form(body: bytes) -> dict[str, list[str]]:
    """Decode an ``application/x-www-form-urlencoded`` body."""
    return parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)

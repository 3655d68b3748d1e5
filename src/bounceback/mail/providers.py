"""Mail provider presets, looked up from the address's domain."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Provider:
    """IMAP and SMTP settings of a well-known provider."""

    name: str
    imap_host: str
    imap_port: int
    imap_security: str
    smtp_host: str
    smtp_port: int
    smtp_security: str
    note: str = ""
    #: Whose token endpoint `--oauth2-client-id` uses ("google", "microsoft" or "").
    oauth2: str = ""


_GMAIL = Provider(
    "Gmail",
    "imap.gmail.com",
    993,
    "ssl",
    "smtp.gmail.com",
    465,
    "ssl",
    "Gmail needs an app password (Google account > Security > App passwords) or OAuth2.",
    oauth2="google",
)
_OUTLOOK = Provider(
    "Outlook / Microsoft 365",
    "outlook.office365.com",
    993,
    "ssl",
    "smtp.office365.com",
    587,
    "starttls",
    "Microsoft has retired password logins for most accounts; OAuth2 is needed.",
    oauth2="microsoft",
)
_YAHOO = Provider(
    "Yahoo",
    "imap.mail.yahoo.com",
    993,
    "ssl",
    "smtp.mail.yahoo.com",
    465,
    "ssl",
    "Yahoo needs an app password (Account security > Generate app password).",
)
_ICLOUD = Provider(
    "iCloud",
    "imap.mail.me.com",
    993,
    "ssl",
    "smtp.mail.me.com",
    587,
    "starttls",
    "iCloud needs an app-specific password (appleid.apple.com > Sign-In and Security).",
)
_FASTMAIL = Provider(
    "Fastmail",
    "imap.fastmail.com",
    993,
    "ssl",
    "smtp.fastmail.com",
    465,
    "ssl",
    "Fastmail needs an app password (Settings > Privacy & Security > App passwords).",
)

PRESETS: dict[str, Provider] = {
    "gmail.com": _GMAIL,
    "googlemail.com": _GMAIL,
    "outlook.com": _OUTLOOK,
    "hotmail.com": _OUTLOOK,
    "live.com": _OUTLOOK,
    "msn.com": _OUTLOOK,
    "yahoo.com": _YAHOO,
    "yahoo.co.uk": _YAHOO,
    "icloud.com": _ICLOUD,
    "me.com": _ICLOUD,
    "mac.com": _ICLOUD,
    "fastmail.com": _FASTMAIL,
    "fastmail.fm": _FASTMAIL,
}


def preset_for(address: str) -> Provider | None:
    """The preset for the address's domain, if bounceback knows it."""
    return PRESETS.get(address.rpartition("@")[2].lower())


#: Gmail's IMAP hosts (Google Workspace domains use them too).
GMAIL_IMAP_HOSTS = frozenset({"imap.gmail.com", "imap.googlemail.com"})


def is_gmail_host(imap_host: str) -> bool:
    """True for Gmail's IMAP servers, whose pace and download limits bounceback keeps."""
    return imap_host.strip().lower().rstrip(".") in GMAIL_IMAP_HOSTS

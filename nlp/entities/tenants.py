"""The employer in an ATS link: the tenant of a hosted careers site.

Workday, iCIMS, Pinpoint, BambooHR, Teamtailor, Workable, Lever, Greenhouse, Ashby and
SmartRecruiters give each employer a careers site of its own, and their mail links to it:
``https://graylingpier.wd3.myworkdayjobs.com/...``, ``https://careers-marrowfield.icims.com``,
``https://apply.workable.com/mcgrath-kilbride/``. The tenant's name is the employer's,
written as the mail spells it ("McGrath Kilbride") or split as a domain is.
"""

from __future__ import annotations

import re

from bounceback.nlp.entities.domains import _from_domain, _spelled_by_sender

__all__ = ["tenant_employer"]

_TENANT = re.compile(
    r"https?://(?:careers-)?(?P<host>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?:wd\d+\.myworkdayjobs\.com|"
    r"icims\.com|pinpointhq\.com|bamboohr\.com|teamtailor\.com|recruitee\.com|breezy\.hr|"
    r"applytojob\.com)\b"
    r"|https?://(?:apply\.workable\.com|jobs\.lever\.co|(?:job-)?boards\.greenhouse\.io|"
    r"jobs\.ashbyhq\.com|(?:jobs|careers)\.smartrecruiters\.com)/(?P<path>[A-Za-z0-9-]+)",
    re.IGNORECASE,
)
# Hosts and paths of the systems themselves, not of a tenant.
_NOT_TENANT = frozenset(
    {
        "www", "app", "apps", "static", "static2", "hire", "jobs", "careers", "api", "help",
        "support", "email", "legal", "privacy", "candidates", "survey", "interviews",
        "availability", "login", "signin", "account", "cdn", "images", "assets", "oauth",
    }
)  # fmt: skip


def tenant_employer(text: str, *, spelled: bool = True) -> str | None:
    """The employer whose hosted careers site ``text`` links to, or None: as ``text``
    spells the tenant, or (``spelled=False``) the tenant split into words."""
    for match in _TENANT.finditer(text):
        tenant = (match["host"] or match["path"]).lower()
        if tenant in _NOT_TENANT or len(tenant.replace("-", "")) < 4:
            continue
        sender = f"<careers@{tenant}.com>"
        return _spelled_by_sender(sender, text) if spelled else _from_domain(sender, text)
    return None

"""LINK: the rules of the corpus-wide link check, and what each says to an editor.

The work happens once for the whole batch (`run_link_stage`), after every
article is audited; `LinkRules` sits in the checks registry only so that
`medreview rules`, `[rules] disable` and `[rules] severity` know the LINK
rules. Its per-article `check` yields nothing.

Flags:   [NHS advice](https://www.nhs.uk/old-page) answering 404       LINK001
         a link that answers 200 with <title>Page not found</title>     LINK006
         http://example.org/guide answering 301 to https://…/guide      LINK004 (suggests the new URL)
Leaves:  https://www.nhs.uk/conditions/back-pain/ answering 200
         mailto:editor@example.org, #references (not web pages)

Rules:
    LINK001  link.broken          error    404, 410, or a site name that does not exist
    LINK002  link.server-error    warning  5xx (503 after retries)
    LINK003  link.unreachable     warning  timeout, refused or failed connection, TLS failure
    LINK004  link.moved           info     permanent redirect (301/308): suggests the new URL
    LINK005  link.unverified      info     blocked by bot protection (401/403/429/999, ...)
    LINK006  link.soft-404        error    200 but "page not found" (or sent to the home page)
    LINK007  link.private-address warning  a private, local or metadata address: never contacted
    LINK008  link.redirect-loop   warning  redirect loop, or more than max_redirects redirects
    LINK009  link.not-checkable   info     relative link with no base address, malformed URL
"""

from __future__ import annotations

from typing import Iterator

from ..config import Config
from ..model import Article, Finding, RuleInfo, Severity

LINK_RULES = [
    RuleInfo("LINK001", "link.broken", "link", Severity.ERROR,
             "The link is broken: the page is gone (404, 410) or the site name does not exist."),
    RuleInfo("LINK002", "link.server-error", "link", Severity.WARNING,
             "The linked site answers with a server error (5xx)."),
    RuleInfo("LINK003", "link.unreachable", "link", Severity.WARNING,
             "The linked site could not be reached: it timed out or refused the connection."),
    RuleInfo("LINK004", "link.moved", "link", Severity.INFO,
             "The link redirects permanently to a new address; the new URL is suggested."),
    RuleInfo("LINK005", "link.unverified", "link", Severity.INFO,
             "Could not verify the link: the site blocks automated checks (403, 429, 999)."),
    RuleInfo("LINK006", "link.soft-404", "link", Severity.ERROR,
             "The link answers but shows a 'page not found' page (a soft 404)."),
    RuleInfo("LINK007", "link.private-address", "link", Severity.WARNING,
             "The link points to a private, local or cloud-metadata address; it was not contacted."),
    RuleInfo("LINK008", "link.redirect-loop", "link", Severity.WARNING,
             "The link redirects in a loop or through too many redirects to reach a page."),
    RuleInfo("LINK009", "link.not-checkable", "link", Severity.INFO,
             "The link cannot be checked: a relative link with no base address, or a malformed URL."),
]
LINK_BY_ID = {r.id: r for r in LINK_RULES}

# Which rule reports each kind of result ("ok" reports nothing).
RULE_FOR_KIND = {
    "broken": "LINK001",
    "server_error": "LINK002",
    "timeout": "LINK003",
    "redirect": "LINK004",
    "blocked": "LINK005",
    "soft404": "LINK006",
    "refused": "LINK007",
    "redirect_loop": "LINK008",
    "not_checkable": "LINK009",
}

SUBJECT = {"url": "This link", "doi": "This DOI", "pmid": "This PubMed ID"}
OBJECT = {"url": "this link", "doi": "this DOI", "pmid": "this PubMed ID"}


def message(kind: str, subject_kind: str, reason: str, suggestion: str | None = None) -> str:
    """What an editor reads for one result."""
    it = SUBJECT.get(subject_kind, "This link")
    obj = OBJECT.get(subject_kind, "this link")
    if kind == "broken":
        if subject_kind == "doi":
            return f"{it} does not resolve ({reason}): readers get an error page. Check the DOI against the reference."
        if subject_kind == "pmid":
            return f"{it} leads nowhere ({reason}): check the PMID against the reference."
        return f"{it} is broken ({reason}): readers get an error page. Replace or remove it."
    if kind == "server_error":
        return (f"The site behind {obj} answered with a server error ({reason}). It may be temporary; "
                "check it again before publishing.")
    if kind == "timeout":
        return f"{it} could not be reached ({reason}). The site may be down, slow or misconfigured; check it by hand."
    if kind == "redirect":
        return f"{it} redirects permanently ({reason}) to {suggestion}. Update it to the new address."
    if kind == "blocked":
        return f"Could not verify {obj}: the site blocks automated checks ({reason}). Check it in a browser."
    if kind == "soft404":
        return f"{it} leads to a 'page not found' page ({reason}). Replace or remove it."
    if kind == "refused":
        return (f"{it} was not checked: it leads to a private or local address, which medreview never "
                f"contacts ({reason}). A published article should link to public sites.")
    if kind == "redirect_loop":
        return f"{it} never reaches a page: {reason}. Replace it."
    if kind == "not_checkable":
        if reason.startswith("relative link"):
            return f"{reason[0].upper()}{reason[1:]}. Use the full address (https://…)."
        return f"{it} could not be checked: {reason}."
    return f"{it}: {reason}."


class LinkRules:
    """The LINK rule family, for the checks registry; the checking is corpus-wide (see stage.py)."""

    family = "LINK"
    category = "link"

    def rules(self, config: Config) -> list[RuleInfo]:
        return list(LINK_RULES)

    def check(self, article: Article, ctx) -> Iterator[Finding]:
        return iter(())

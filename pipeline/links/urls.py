"""From a link as an article wrote it to the one URL that is checked for it.

- The URL is normalised so the same page cited in many ways is checked once:
  the fragment dropped, scheme and host lower-cased, the default port
  dropped, an empty path made "/", spaces and non-ASCII characters
  percent-encoded; the query is kept (it often names the page).
- DOIs ("10.1000/xyz", "doi:10.1000/xyz", doi.org and dx.doi.org links) are
  checked through `[links] doi_resolver`, PubMed IDs (PMIDs and PubMed links)
  through `[links] pubmed_base`, so a DOI cited as text and as a link is one
  check, and tests can point both at a server of their own.
- mailto:, tel:, javascript:, ftp: and other schemes, and in-page "#anchors",
  are not web pages: skipped without a finding.
- A relative URL is resolved against the article's own web address when the
  reader found one; otherwise it cannot be checked (LINK009).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from .settings import LinkSettings

DEFAULT_PORT = {"http": 80, "https": 443}
DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org"})
PUBMED_HOSTS = frozenset({"pubmed.ncbi.nlm.nih.gov"})
NCBI_HOSTS = frozenset({"www.ncbi.nlm.nih.gov", "ncbi.nlm.nih.gov"})

DOI = re.compile(r"^10\.\d{4,9}/\S+$")
PMID = re.compile(r"^\d{1,9}$")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_HOST = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*\.?$")
_PUBMED_PATH = re.compile(r"^/(\d{1,9})/?$")
_NCBI_PUBMED_PATH = re.compile(r"^/pubmed/(\d{1,9})/?$", re.I)


class NotCheckable(ValueError):
    """A link that cannot be checked; the message says why, for an editor."""


@dataclass(frozen=True, slots=True)
class Target:
    """One distinct thing to check: a normalised http(s) URL."""

    url: str   # normalised; also the cache key
    kind: str  # "url", "doi" or "pmid"
    host: str

    @property
    def persistent(self) -> bool:
        """DOIs and PMIDs work by redirecting: never report them as moved."""
        return self.kind != "url"


def normalise_url(url: str) -> str:
    """The canonical form of an absolute http(s) URL; NotCheckable when it is malformed."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as e:
        raise NotCheckable(f"the address is malformed ({e})") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORT:
        raise NotCheckable(f"the address does not start with http:// or https:// ({url[:40]})")
    host = parts.hostname
    if not host:
        raise NotCheckable("the address has no site name after the scheme")
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        ip = None
    if ip is not None:
        hostpart = f"[{host}]" if ip.version == 6 else host
    else:
        try:
            hostpart = host.encode("idna").decode("ascii") if not host.isascii() else host
        except UnicodeError:
            raise NotCheckable(f"the site name {host!r} is not a valid host name") from None
        if not _HOST.match(hostpart):
            raise NotCheckable(f"the site name {host!r} is not a valid host name")
        hostpart = hostpart.rstrip(".")
    netloc = hostpart if port in (None, DEFAULT_PORT[scheme]) else f"{hostpart}:{port}"
    if parts.username is not None or parts.password is not None:
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + netloc
    path = quote(parts.path, safe="/%:@!$&'()*+,;=~-._") or "/"
    query = quote(parts.query, safe="/%:@!$&'()*+,;=?~-._")
    return urlunsplit((scheme, netloc, path, query, ""))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def clean_doi(text: str) -> str:
    """"doi:10.1000/XYZ." → "10.1000/XYZ" (DOIs are matched case-insensitively by resolvers)."""
    doi = text.strip()
    doi = re.sub(r"^(?:https?://(?:dx\.|www\.)?doi\.org/|doi:\s*)", "", doi, flags=re.I)
    return doi.rstrip(".,;:")


def doi_url(doi: str, settings: LinkSettings) -> str:
    return settings.doi_resolver + quote(doi, safe="/:;()[]!$&'*+,=@~-._")


def pmid_url(pmid: str, settings: LinkSettings) -> str:
    return f"{settings.pubmed_base}{pmid}/"


def is_skipped_domain(host: str, settings: LinkSettings) -> bool:
    return any(host == d or host.endswith("." + d) for d in settings.skip_domains)


def _identifier_target(kind: str, ident: str, settings: LinkSettings) -> Target:
    if kind == "doi":
        doi = clean_doi(ident)
        if not DOI.match(doi):
            raise NotCheckable(f"{ident!r} is not a valid DOI (a DOI looks like 10.1000/xyz123)")
        url = normalise_url(doi_url(doi, settings))
    else:
        pmid = re.sub(r"^(?:pmid:?\s*)", "", ident.strip(), flags=re.I)
        if not PMID.match(pmid):
            raise NotCheckable(f"{ident!r} is not a valid PubMed ID (a PMID is a number such as 12345678)")
        url = normalise_url(pmid_url(pmid, settings))
    return Target(url=url, kind=kind, host=host_of(url))


def target_for(link: dict[str, Any], base_url: str | None, settings: LinkSettings) -> Target | None:
    """The Target to check for one link of an article.

    None when the link is not a web page (mailto:, an in-page anchor, ...);
    NotCheckable, with the reason, when it cannot be checked.
    """
    kind = str(link.get("kind") or "url").lower()
    if kind in ("doi", "pmid"):
        ident = str(link.get("id") or link.get("url") or "")
        return _identifier_target(kind, ident, settings)
    text = str(link.get("url") or "").strip().strip("<>").strip()
    if not text or text.startswith("#"):
        return None
    m = _SCHEME.match(text)
    if text.lower().startswith("www."):
        absolute = "http://" + text
    elif m:
        scheme = m.group(1).lower()
        if scheme == "doi":
            return _identifier_target("doi", text, settings)
        if scheme not in DEFAULT_PORT:
            if len(scheme) == 1 or scheme in ("localhost",):  # C:\path, localhost:8000/...
                raise NotCheckable(f"the address {text[:60]!r} is not a web address")
            return None  # mailto:, tel:, javascript:, ftp:, data:, ...
        absolute = text
    elif text.startswith("//"):
        absolute = urljoin(base_url, text) if _is_web(base_url) else "https:" + text
    elif _is_web(base_url):
        absolute = urljoin(base_url, text)
    else:
        raise NotCheckable("relative link could not be checked: the article has no web address to resolve it against")
    url = normalise_url(absolute)
    host = host_of(url)
    parts = urlsplit(url)
    if host in DOI_HOSTS and parts.path.startswith("/10."):
        doi = unquote(parts.path[1:])
        if DOI.match(doi):
            return _identifier_target("doi", doi, settings)
    if host in PUBMED_HOSTS and (pm := _PUBMED_PATH.match(parts.path)):
        return _identifier_target("pmid", pm.group(1), settings)
    if host in NCBI_HOSTS and (pm := _NCBI_PUBMED_PATH.match(parts.path)):
        return _identifier_target("pmid", pm.group(1), settings)
    return Target(url=url, kind="url", host=host)


def _is_web(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme.lower() in DEFAULT_PORT and bool(urlsplit(url).hostname)

"""Publication identifiers in a reference: DOIs, PMIDs, PMCIDs and ISBNs.

Each is read where it is written in the text — a DOI "10.NNNN/…", "PMID: 123"
or a PubMed address written out, "PMC1234567", "ISBN 978-…" — and from the
URLs of the reference's links (https://doi.org/…, pubmed.ncbi.nlm.nih.gov/123,
…/pmc/articles/PMC1234567/), which have no span in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote


@dataclass(frozen=True, slots=True)
class Identifier:
    kind: str  # "doi" | "pmid" | "pmcid" | "isbn"
    id: str
    start: int | None  # span in article.text when it is written there; None when only in a link's URL
    end: int | None


_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+", re.I)
_PMID = re.compile(r"\bPMID:?\s*(\d{1,9})\b", re.I)
_PMCID = re.compile(r"\bPMC\d{4,9}\b")
_ISBN = re.compile(r"\bISBN(?:-1[03])?:?\s*((?:97[89][\s\-]?)?(?:\d[\s\-]?){9}[\dXx])\b")
_PUBMED_URL = re.compile(r"(?:pubmed\.ncbi\.nlm\.nih\.gov|ncbi\.nlm\.nih\.gov/pubmed)/(\d{1,9})\b", re.I)
_PMC_URL = re.compile(r"/(PMC\d{4,9})\b", re.I)
_DOI_URL = re.compile(r"(?:dx\.)?doi\.org/(10\.\d{4,9}/.+)$", re.I)


def _identifiers(text: str, start: int, end: int, urls: list[str]) -> list[Identifier]:
    ids: list[Identifier] = []
    segment = text[start:end]
    for m in _DOI.finditer(segment):
        doi = _clean_doi(m.group())
        ids.append(Identifier("doi", doi, start + m.start(), start + m.start() + len(doi)))
    for m in _PMID.finditer(segment):
        ids.append(Identifier("pmid", m.group(1), start + m.start(), start + m.end()))
    for m in _PMCID.finditer(segment):
        ids.append(Identifier("pmcid", m.group(), start + m.start(), start + m.end()))
    for m in _ISBN.finditer(segment):
        ids.append(Identifier("isbn", re.sub(r"[\s\-]", "", m.group(1)).upper(), start + m.start(), start + m.end()))
    for m in _PUBMED_URL.finditer(segment):  # a PubMed address written as text
        ids.append(Identifier("pmid", m.group(1), start + m.start(1), start + m.end(1)))
    written = {(i.kind, i.id.lower()) for i in ids}
    for url in urls:
        for kind, value in _ids_in_url(url):
            if (kind, value.lower()) not in written:
                written.add((kind, value.lower()))
                ids.append(Identifier(kind, value, None, None))
    return ids


def _ids_in_url(url: str) -> list[tuple[str, str]]:
    found = []
    if m := _DOI_URL.search(unquote(url.split("?", 1)[0].split("#", 1)[0])):
        found.append(("doi", _clean_doi(m.group(1))))
    if m := _PUBMED_URL.search(url):
        found.append(("pmid", m.group(1)))
    if m := _PMC_URL.search(url):
        found.append(("pmcid", m.group(1).upper()))
    return found


def _clean_doi(doi: str) -> str:
    doi = doi.rstrip(".,;:'\"")
    pairs = {")": "(", "]": "[", "}": "{"}
    while doi and doi[-1] in pairs and doi.count(pairs[doi[-1]]) < doi.count(doi[-1]):
        doi = doi[:-1].rstrip(".,;:")  # "(doi:10.1/x)." — the bracket is the sentence's, not the DOI's
    return doi

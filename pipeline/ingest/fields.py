"""Metadata from key/value records: Markdown front matter and JSON-lines rows.

Field names vary by CMS; these are the ones we read (first match wins):
"""

from __future__ import annotations

from typing import Any

from ..dates import as_date
from ..model import Located, Meta

TITLE_KEYS = ("title", "headline", "name")
AUTHOR_KEYS = ("authors", "author", "written_by", "writer", "byline")
REVIEWER_KEYS = (
    "reviewed_by", "reviewedBy", "reviewer", "reviewers", "medical_reviewer",
    "medically_reviewed_by", "medicalReviewer", "medical_review_by",
)
PUBLISHED_KEYS = ("published", "date_published", "datePublished", "publish_date", "published_at", "date", "created")
UPDATED_KEYS = ("updated", "date_modified", "dateModified", "last_updated", "modified", "updated_at", "lastmod", "last_modified")
REVIEWED_KEYS = (
    "last_reviewed", "lastReviewed", "reviewed", "review_date", "reviewed_on",
    "date_reviewed", "medically_reviewed", "last_medically_reviewed",
)


def _first(data: dict[str, Any], keys: tuple[str, ...]) -> tuple[str, Any] | None:
    for key in keys:
        if key in data and data[key] not in (None, "", []):
            return key, data[key]
    return None


def person_names(value: Any) -> list[str]:
    """Names from a string, a list, or objects like {name, credentials}."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        name = str(value.get("name", "")).strip()
        suffix = value.get("credentials") or value.get("honorificSuffix") or value.get("jobTitle")
        if name and suffix and str(suffix) not in name:
            name = f"{name}, {suffix}"
        return [name] if name else []
    if isinstance(value, list):
        return [n for item in value for n in person_names(item)]
    return []


def meta_from_record(data: dict[str, Any], where: str, start: int | None = None,
                     end: int | None = None) -> tuple[Meta, list[tuple[str, str, int]]]:
    """Meta from a front-matter or JSON record; `where` names it in the report."""
    meta = Meta()
    notices: list[tuple[str, str, int]] = []

    def located(key: str, value: Any) -> Located:
        return Located(value, f"{where}: {key}", start, end)

    if hit := _first(data, TITLE_KEYS):
        meta.title = located(hit[0], str(hit[1]).strip())
    if hit := _first(data, AUTHOR_KEYS):
        meta.authors = [located(hit[0], n) for n in person_names(hit[1])]
    if hit := _first(data, REVIEWER_KEYS):
        meta.reviewed_by = [located(hit[0], n) for n in person_names(hit[1])]
    for field, keys in (("published", PUBLISHED_KEYS), ("updated", UPDATED_KEYS), ("last_reviewed", REVIEWED_KEYS)):
        if hit := _first(data, keys):
            parsed = as_date(hit[1])
            if parsed is None:
                notices.append(("INPUT006", f"the {where} field '{hit[0]}' is not a valid date: {str(hit[1])[:40]!r}", start or 0))
            else:
                setattr(meta, field, located(hit[0], parsed))
    return meta, notices

"""REVIEW: who reviewed this article, when, and whether that is recent enough.

Flags:  "Last medically reviewed on February 2, 2018" audited --as-of 2026-11-25
        -> REVIEW001 stale, 2,123 days overdue under a 2-year policy
Leaves: "Medically reviewed by Anita Rao, MD — Updated on October 1, 2026"

The dates come from the format readers (front matter, JSON-LD, <meta>,
<time>) and from the page's bylines (medreview.bylines). The policy lives in
rules/review.yml and the config's [review] table. Every finding about the
review date points at the date where it was found; a missing date points at
the top of the file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterator

from ..config import Config, ConfigError
from ..model import Article, Finding, Located, RuleInfo, Severity
from ..prefilter import fold
from ..rulepacks import RulePackError, load_pack
from .base import Context, finding_at, finding_in_text

if TYPE_CHECKING:  # imported where used: a run the result cache answers never reads a byline
    from ..bylines import BylineDate, Bylines

DATE_ORDERS = ("MDY", "DMY")


@dataclass(frozen=True)
class ReviewPolicy:
    max_age_years: float
    due_soon_days: int
    require_reviewer: bool
    relative_claims_after_days: int
    date_order: str | None
    profile: str | None  # None: chosen per article
    profiles: tuple[tuple[str, float, tuple[str, ...]], ...]  # (name, max_age_years, detect phrases)
    relative_phrases: re.Pattern[str] | None
    # The phrases as `fold` writes them, to look for before trying the pattern; None when
    # one has a non-ASCII cased letter (its case-insensitive matches are not just its fold).
    relative_keys: tuple[str, ...] | None = None

    def relative_matches(self, text: str) -> Iterator[re.Match[str]]:
        """relative_phrases.finditer(text), tried only where a phrase occurs (~5x fewer steps:
        the pattern is an alternation, which Python's engine tries at every position)."""
        if self.relative_phrases is None:
            return
        if self.relative_keys is None:
            yield from self.relative_phrases.finditer(text)
            return
        folded = fold(text)
        starts: set[int] = set()
        for key in self.relative_keys:
            i = folded.find(key)
            while i != -1:
                starts.add(i)
                i = folded.find(key, i + 1)
        pos, match = 0, self.relative_phrases.match
        for st in sorted(starts):
            if st >= pos and (m := match(text, st)) is not None:
                yield m
                pos = m.end()


@lru_cache(maxsize=8)
def review_rules(extra_dirs: tuple[str, ...] = ()) -> tuple[RuleInfo, ...]:
    rules = []
    for raw in load_pack("review", extra_dirs).get("rules", []):
        try:
            rules.append(RuleInfo(raw["id"], raw["name"], "review", Severity(raw.get("severity", "warning")),
                                  raw["summary"]))
        except (KeyError, ValueError) as e:
            raise RulePackError(f"review rule {raw.get('id', '?')}: {e}") from None
    return tuple(rules)


_POLICIES: dict[Any, ReviewPolicy] = {}


def review_policy(config: Config) -> ReviewPolicy:
    """The pack's policy overridden by [review]; ConfigError for values that make no sense.
    Built once per rule packs and [review] table (its lists and tables frozen for the key:
    `relative_phrases = [...]` in a config made lru_cache fail with "unhashable type")."""
    section = config.section("review")
    key = (config.rule_dirs, _frozen(section), config.source)
    policy = _POLICIES.get(key)
    if policy is None:
        if len(_POLICIES) >= 16:
            _POLICIES.clear()
        policy = _POLICIES[key] = _policy(config.rule_dirs, section, config.source)
    return policy


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((str(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def _policy(rule_dirs: tuple[str, ...], section: dict[str, Any], source: str | None) -> ReviewPolicy:
    pack = load_pack("review", rule_dirs)
    base = dict(pack.get("policy", {}))
    over = dict(section)
    where = f"{source}: " if source else ""
    known = {"max_age_years", "due_soon_days", "require_reviewer", "relative_claims_after_days", "date_order",
             "profile", "relative_phrases"}
    unknown = sorted(set(over) - known)
    if unknown:
        raise ConfigError(f"{where}unknown key {unknown[0]!r} in [review]; known keys: {', '.join(sorted(known))}")

    def number(key: str, default: float, whole: bool = False) -> Any:
        value = over.get(key, base.get(key, default))
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (whole and value != int(value)):
            raise ConfigError(f"{where}[review] {key} must be a {'whole ' if whole else ''}number, not {value!r}")
        return int(value) if whole else float(value)

    date_order = over.get("date_order")
    if date_order is not None and str(date_order).upper() not in DATE_ORDERS:
        raise ConfigError(f"{where}[review] date_order must be \"MDY\" or \"DMY\", not {date_order!r}")
    profiles = tuple(
        (name, float(p.get("max_age_years", base.get("max_age_years", 2))),
         tuple(str(d).lower() for d in p.get("detect", [])))
        for name, p in dict(base.get("profiles", {})).items()
    )
    profile = over.get("profile")
    if profile is not None and profile != "default" and profile not in {p[0] for p in profiles}:
        raise ConfigError(f"{where}[review] profile {profile!r} is not one of default, "
                          + ", ".join(p[0] for p in profiles))
    phrases = list(pack.get("relative_phrases", [])) + list(over.get("relative_phrases", []))
    pattern = (re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
                          + r")(?![\w-])", re.IGNORECASE) if phrases else None)
    keys = tuple(sorted({fold(p) for p in phrases}))
    if any(not c.isascii() and (c.lower() != c or c.upper() != c) for p in phrases for c in p):
        keys = None
    return ReviewPolicy(
        max_age_years=number("max_age_years", 2),
        due_soon_days=number("due_soon_days", 60, whole=True),
        require_reviewer=bool(over.get("require_reviewer", base.get("require_reviewer", True))),
        relative_claims_after_days=number("relative_claims_after_days", 365, whole=True),
        date_order=str(date_order).upper() if date_order else None,
        profile=profile,
        profiles=profiles,
        relative_phrases=pattern,
        relative_keys=keys,
    )


def add_years(day: dt.date, years: float) -> dt.date:
    whole = int(years)
    try:
        moved = day.replace(year=day.year + whole)
    except ValueError:  # 29 February
        moved = day.replace(year=day.year + whole, day=28)
    return moved + dt.timedelta(days=round((years - whole) * 365.25))


def _long(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def _age(days: int) -> str:
    if days >= 730:
        return f"{days // 365} years"
    if days >= 60:
        return f"{days // 30} months"
    return f"{days} days"


class ReviewCheck:
    family = "REVIEW"
    category = "review"

    def rules(self, config: Config) -> list[RuleInfo]:
        return list(review_rules(config.rule_dirs))

    def check(self, article: Article, ctx: Context) -> Iterator[Finding]:
        config = ctx.config
        rules = {r.id: r for r in review_rules(config.rule_dirs)}
        try:
            policy = review_policy(config)
        except ConfigError:
            return  # the CLI validates [review] up front; a library caller gets no review findings
        from ..bylines import extract_bylines

        bylines: Bylines = article.bylines if article.bylines is not None else extract_bylines(
            article.text, policy.date_order)
        as_of = config.as_of
        meta = article.meta

        for d in bylines.dates:
            if d.value is None and d.readings:
                a, b = d.readings
                yield finding_in_text(
                    article, rules["REVIEW007"],
                    f"“{d.text}” could be {_long(a)} or {_long(b)}. Write the month as a word, or set "
                    "[review] date_order to \"MDY\" or \"DMY\" so medreview reads it your way.",
                    d.start, d.end, evidence={"date": d.text, "readings": [a.isoformat(), b.isoformat()]})
            elif d.value is None:
                yield finding_in_text(
                    article, rules["REVIEW009"], f"“{d.text}” is not a real date; the {_field_name(d.field)} "
                    "date cannot be judged. Correct it.", d.start, d.end, evidence={"date": d.text})

        last = meta.last_reviewed
        ambiguous = next((d for d in bylines.dates if d.field == "last_reviewed" and d.readings), None)
        if last is None and ambiguous is not None:
            # Judge by the later reading: if even that is stale, the article is stale.
            later = max(ambiguous.readings)
            start, end = article.text_map.span_to_source(ambiguous.start, ambiguous.end)
            last = Located(later, "byline: last reviewed (ambiguous; later reading)", start, end)
        unreadable = any(d.field == "last_reviewed" and d.value is None and not d.readings for d in bylines.dates)

        if last is None:
            if not unreadable:
                yield finding_at(article, rules["REVIEW003"],
                                 "No medical review date found (byline, front matter, JSON-LD or meta tags). "
                                 "Health content needs a visible date of last review.", 0, 0, excerpt="",
                                 evidence={"looked_in": ["byline", "front matter", "json-ld", "meta", "time"]})
        else:
            yield from self._judge(article, rules, policy, bylines, last, as_of)

        if policy.require_reviewer and not meta.reviewed_by:
            yield finding_at(article, rules["REVIEW004"],
                             "No medical reviewer is named. Name the clinician who reviewed this article, "
                             "with credentials (for example “Medically reviewed by Anita Rao, MD”).",
                             0, 0, excerpt="")

        for name in ("updated", "published"):
            loc = getattr(meta, name)
            if loc is not None and loc.value > as_of:
                yield self._at(article, rules["REVIEW005"], loc,
                               f"The {name} date {_long(loc.value)} is in the future (audited as of "
                               f"{_long(as_of)}). Correct the date.", {"date": loc.value.isoformat()})

        byline_last = bylines.first("last_reviewed")
        if (meta.last_reviewed is not None and byline_last is not None and byline_last.value is not None
                and not meta.last_reviewed.source.startswith("byline")
                and abs((byline_last.value - meta.last_reviewed.value).days) > 1):
            yield finding_in_text(
                article, rules["REVIEW010"],
                f"The page says it was last reviewed on {_long(byline_last.value)}, but its metadata "
                f"({meta.last_reviewed.source}) says {_long(meta.last_reviewed.value)}. Make them agree.",
                byline_last.start, byline_last.end,
                evidence={"byline": byline_last.value.isoformat(), "metadata": meta.last_reviewed.value.isoformat(),
                          "metadata_source": meta.last_reviewed.source})

    def _judge(self, article: Article, rules: dict[str, RuleInfo], policy: ReviewPolicy, bylines: Bylines,
               last: Located, as_of: dt.date) -> Iterator[Finding]:
        meta = article.meta
        reviewed: dt.date = last.value
        if reviewed > as_of:
            yield self._at(article, rules["REVIEW005"], last,
                           f"The review date {_long(reviewed)} is in the future (audited as of {_long(as_of)}). "
                           "Correct the date.", {"date": reviewed.isoformat(), "found_in": last.source})
            return
        if meta.published is not None and reviewed < meta.published.value:
            yield self._at(article, rules["REVIEW006"], last,
                           f"The review date {_long(reviewed)} is before the publication date "
                           f"{_long(meta.published.value)} ({meta.published.source}). One of them is wrong.",
                           {"reviewed": reviewed.isoformat(), "published": meta.published.value.isoformat()})
        profile, max_age = self._profile(article, policy)
        next_due: BylineDate | None = bylines.first("next_review")
        due = next_due.value if next_due is not None and next_due.value is not None else add_years(reviewed,
                                                                                                     max_age)
        age = (as_of - reviewed).days
        evidence = {"last_reviewed": reviewed.isoformat(), "found_in": last.source, "due": due.isoformat(),
                    "policy_years": max_age, "profile": profile}
        years = f"{max_age:g} year{'s' if max_age != 1 else ''}"
        if as_of > due:
            overdue = (as_of - due).days
            yield self._at(article, rules["REVIEW001"], last,
                           f"Last medically reviewed {_long(reviewed)}, {_age(age)} ago; the policy ({profile}) "
                           f"asks for a review every {years}, so it was due {_long(due)} and is {overdue:,} days "
                           "overdue. Send it for medical review.",
                           {**evidence, "days_overdue": overdue})
        elif (due - as_of).days <= policy.due_soon_days:
            yield self._at(article, rules["REVIEW002"], last,
                           f"Medical review falls due on {_long(due)}, in {(due - as_of).days} days "
                           f"(last reviewed {_long(reviewed)}). Schedule the review.",
                           {**evidence, "days_until_due": (due - as_of).days, "days_overdue": -(due - as_of).days})
        if age > policy.relative_claims_after_days and policy.relative_phrases is not None:
            for n, m in enumerate(policy.relative_matches(article.text)):
                if n == 5:
                    break
                yield finding_in_text(
                    article, rules["REVIEW008"],
                    f"“{m.group(0)}” was written about a time {_age(age)} ago (last review {_long(reviewed)}); "
                    "readers take it as now. Give the year or update the claim.",
                    m.start(), m.end(), evidence={"phrase": m.group(0).lower(), "review_age_days": age})

    @staticmethod
    def _profile(article: Article, policy: ReviewPolicy) -> tuple[str, float]:
        if policy.profile is not None:
            for name, years, _ in policy.profiles:
                if name == policy.profile:
                    return name, years
            return "default", policy.max_age_years
        lowered = article.text.lower()
        for name, years, detect in policy.profiles:
            if detect and any(d in lowered for d in detect):
                return name, years
        return "default", policy.max_age_years

    @staticmethod
    def _at(article: Article, rule: RuleInfo, loc: Located, message: str, evidence: dict[str, Any]) -> Finding:
        start = loc.start if loc.start is not None else 0
        end = loc.end if loc.end is not None else start
        excerpt = article.raw[start:end] if end - start <= 120 else ""
        return finding_at(article, rule, message, start, end, excerpt=excerpt, evidence=evidence)


def _field_name(name: str) -> str:
    return {"last_reviewed": "review", "next_review": "next review", "updated": "update",
            "published": "publication"}.get(name, name)

"""Names as bylines write them: the name and credential patterns, and when "By NAME" is a byline.

The rules are described in medreview.bylines; a name is told from a date
with the patterns of medreview.byline_dates.
"""

from __future__ import annotations

import re

from .byline_dates import _DATE, _WEEKDAY, _could_be_date, _month_like, read_date

# Credentials written after a name: "Anita Rao, MD", "Sam Lee, PharmD, BCPS".
CREDENTIALS = (
    "MD", "M.D.", "DO", "D.O.", "PharmD", "Pharm.D.", "RPh", "RN", "BSN", "MSN", "DNP", "NP", "FNP", "FNP-BC",
    "APRN", "CNM", "PA", "PA-C", "PhD", "Ph.D.", "MPH", "MS", "MSc", "MA", "MBA", "RD", "RDN", "LD", "LDN",
    "CDE", "CDCES", "DPT", "PT", "OT", "DC", "PsyD", "LCSW", "LMFT", "LPC", "IBCLC", "CPT", "DDS", "DMD", "OD",
    "DPM", "MBBS", "MBChB", "MRCP", "MRCGP", "FRCP", "FRCS", "FACP", "FACC", "FAAP", "FACOG", "FACS", "BCPS",
    "CSCS", "ATC", "MSPT", "CRNP", "CNS", "RDH", "LAc", "ND",
    "R.N.", "LPN", "CNP", "FNP-C", "AGNP-C", "ANP-BC", "PMHNP-BC", "AHN-BC", "CNE", "COI", "CHT", "FAAN", "FAANP",
    "FAAFP", "FACEP", "FAHA", "FRCPC", "FRACP", "MRCPsych", "MSW", "DrPH", "CCC-SLP",
)
_CRED = "|".join(re.escape(c) for c in sorted(CREDENTIALS, key=len, reverse=True))
_SP = r"[^\S\r\n]+"  # spaces within one line: a name never runs onto the next line
_UPPER = "A-ZÀ-ÖØ-Þ"
_NAME = (
    r"(?P<name>(?:(?:Dr|Dra|Dott|Prof|Mr|Mrs|Ms)\.?(?:" + _SP + r"med\.)?" + _SP + r")?[" + _UPPER + r"][\w'’\-]+\.?"
    r"(?:" + _SP + r"(?:[" + _UPPER + r"][\w'’\-]*\.?|(?:de|van|von|der|den|ten|ter|da|del|della|di|la|le|bin)(?![\w'’\-])))"
    r"{0,4})(?P<creds>(?:,?" + _SP + r"(?:" + _CRED + r")(?![\w]))*)"
)


def _plausible_name(m: re.Match[str], bare_by: bool) -> bool:
    name = m.group("name").strip()
    if _DATE_ONLY.fullmatch(name) or (_could_be_date(name) and read_date(name)[0] is not None):
        return False
    if re.search(r"['’]s$", name):  # "By Dr. Patel's estimate": a possessive, not a byline
        return False
    # A bare "By" needs a full name or a credential: "by walking", "By 2020" are not bylines.
    return not bare_by or len(name.split()) >= 2 or bool(m.group("creds").strip())


# A bare "By" opens sentences as often as bylines: "By Christmas Day most of the swelling has gone.",
# "By The Numbers", "By Harvard Medical School standards, …". A byline name stands alone on its line or is
# followed by a separator, another name, a date or a credential; and it does not start with a word that
# names a time or is no name at all.
_TITLE = re.compile(r"(?:Dr|Dra|Dott|Prof|Mr|Mrs|Ms)\.?$")
_NOT_A_FIRST_NAME = frozenset(
    # articles, determiners, pronouns, times ("An", "Summer", "Autumn" and "Winter" are also names)
    "the a this that these those its it his her their our your my each every all any some most many no "
    "one next last early late mid end then now today tonight tomorrow yesterday noon midnight "
    "morning afternoon evening night week weekend spring fall "
    # day names ("Domingo" is also a name)
    "monday tuesday wednesday thursday friday saturday sunday "
    "lunes martes miércoles jueves viernes sábado montag dienstag mittwoch donnerstag freitag samstag "
    "sonntag lundi mardi mercredi jeudi vendredi samedi dimanche "
    # month names that are not also given names (April, May, June, August and Jan are)
    "january february march july september october november december feb mar apr aug sep sept oct nov dec "
    "enero febrero marzo julio septiembre octubre noviembre diciembre januar februar märz juli oktober dezember "
    "janvier février mars juillet septembre octobre novembre décembre "
    # holidays ("Noël" and "Natale" are also names)
    "christmas xmas easter thanksgiving halloween hanukkah chanukah passover ramadan eid diwali lent advent "
    "pentecost whitsun hogmanay kwanzaa boxing labor labour memorial independence veterans valentine "
    "valentine's valentine’s navidad pascua weihnachten ostern pâques pasqua".split()
)
_GIVEN_NAME_MONTHS = frozenset("april may june august jan".split())
_CALENDAR_NOUNS = frozenset("day eve morning afternoon evening night week weekend holiday holidays".split())
_NOT_IN_A_NAME = frozenset("the a and or of for with in on at this that its your our their".split())
_SEPARATOR_NEXT = re.compile(r"[^\S\r\n]*(?:$|[|·•—–,(]|-[^\S\r\n]|[.;][^\S\r\n]*$)", re.MULTILINE)
_DATE_NEXT = re.compile(r"(?:" + _SP + r"on)?" + _SP + r"(?:" + _WEEKDAY + r")?" + _DATE, re.IGNORECASE)


def _byline_shape(text: str, people: list[re.Match[str]]) -> bool:
    """Whether a bare "By NAME" reads as a byline, not as the start of a sentence."""
    # Lower case, without a full stop, except that an initial keeps it: "A." is no article.
    words = [w.lower() if len(w.rstrip(".")) == 1 else w.lower().rstrip(".") for w in people[0].group("name").split()]
    if _TITLE.match(words[0].capitalize()):  # "By Dr. …" names a person
        words = words[1:]
    else:
        first = words[0]
        if first in _NOT_A_FIRST_NAME or re.sub(r"['’]s$", "", first) in _NOT_A_FIRST_NAME:
            return False
        if first in _GIVEN_NAME_MONTHS and any(w in _CALENDAR_NOUNS for w in words[1:]):  # "By May Day"
            return False
        if len(words) > 1 and words[0] == "new" and re.fullmatch(r"year(?:['’]s)?", words[1]):  # New Year's Eve
            return False
    if any(w in _NOT_IN_A_NAME for w in words):  # a title-case heading: "By Using Heat And Ice"
        return False
    if any(re.search(r"['’]s$", w) for w in words[:-1]):  # "By Valentine's Day, …", "By Mother's Day"
        return False
    end = people[-1].end()
    # Nothing more on the line, or a separator ("| Published …", ", Executive Editor"), or a date
    # ("By Ellen Park on May 12, 2021"); "and NAME" and credentials are part of `people` already.
    return _SEPARATOR_NEXT.match(text, end) is not None or _month_like(_DATE_NEXT.match(text, end)) is not None


_DATE_ONLY = re.compile(r"[\d\W]+")

#!/usr/bin/env python3
"""Generate a synthetic corpus of consumer health articles for benchmarks.

    python benchmarks/generate_corpus.py N OUTDIR [--seed S] [--formats txt,md,jsonl]
                                         [--per-dir 100] [--bundle 25] [--force]

Every article is built from the sentences of the real articles in corpus/
(.txt, .md, .html and .jsonl, whatever is there): a seeded shuffle of them,
grouped into paragraphs, cut to a length of 800-2000 words, with a handful of
the page artifacts found in those sources (ad code, affiliate and legal
lines, feedback widgets, teasers...) mixed back in so artifact stripping has
real work to do. Files are spread over sub-folders of at most --per-dir files
each, so a 10,000-article corpus is not one giant folder.

Output is deterministic for a given seed, format list and corpus/ content
(the manifest.json written next to the articles records all three). Article
i is the same whatever N is, so a 500-article corpus is the first 500
articles of the 2,000-article one (for the txt-only default).

Formats:
  txt    plain text, title on the first line (the default);
  md     Markdown with YAML front matter, headings, lists and links;
  jsonl  CMS export bundles of up to --bundle articles, one JSON object a line.
With several formats, each article picks one at random (seeded). N always
counts articles, not files.

This script uses only the standard library and never imports medreview, so
it keeps working while the product code changes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

GENERATOR_VERSION = 1
FORMATS = ("txt", "md", "jsonl")
REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = REPO / "corpus"
MANIFEST = "manifest.json"  # not an article suffix: medreview never audits it

MIN_WORDS, MAX_WORDS = 800, 2000

# --- reading the source articles -------------------------------------------

# Ad and analytics calls as they leak into scraped text (possibly with the
# teaser label glued in front), and the same calls inside <script> blocks.
_AD_CODE = re.compile(
    r"(?:\b(?:also read|read more|related|advertisement)\s*:\s*)?(?:\beval\(\s*)?"
    r"\b(?:ez_write_tag|ezstandalone\.\w+|googletag(?:\.\w+)+|_taboola\.push|dataLayer\.push|gtag|fbq|"
    r"_gaq\.push|apstag\.\w+|pbjs\.\w+)\s*\(.{0,600}?\)\s*;"
    r"|\(\s*adsbygoogle\s*=\s*window\.adsbygoogle\s*\|\|\s*\[\s*\]\s*\)\.push\(\s*\{\s*\}\s*\)\s*;?"
    r"|\bwindow\.(?:dataLayer|adsbygoogle|googletag|_taboola)\s*=.{0,200}?;",
    re.I,
)
# Sentence ends: terminal punctuation (+ closing quotes) then space and a
# non-lowercase letter; or a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[^a-z])|\s*\n\s*")
# Rough cues for page furniture, so a few such lines can be put back in every
# article on purpose. Misclassified sentences just land in the other pool.
_ARTIFACT_CUES = re.compile(
    "|".join([
        r"\bcommission\b", r"\baffiliate\b", r"\bwe include products\b", r"\bamazon associate\b",
        r"\ball rights reserved\b", r"\bregistered trade ?mark", r"©", r"\bcopyright\b",
        r"\bthis article (?:contains|does(?:n[’']t| not) have)\b", r"\b(?:was|is) this (?:article|page) helpful\b",
        r"\bfeedback\b", r"\bfill (?:in|out) our\b", r"\bcall you back\b", r"\bclick here\b",
        r"\bcookies?\b", r"\bnewsletter\b", r"\binbox\b", r"\bsign (?:me )?up\b", r"\bunsubscribe\b",
        r"\bemail address\b", r"^\W*(?:also read|read more|related|see also|watch|video)\s*:",
        r"^\W*watch\b.{0,80}\bvideo\W*$", r"(?:…|\.\.\.)\.?\W{0,2}$", r"\w(?:…|\.\.\.),\s",
        r"\bzero[- ]tolerance\b", r"\beditorial policy\b", r"\bfor informational purposes only\b",
        r"^\W*\d{1,3}(?:,\d{3})+(?:\s*(?:,|and|&)\s*\d{1,3}(?:,\d{3})+)+\W*$",
    ]),
    re.I,
)
_URL = re.compile(r"https?://[^\s<>()\"'\]]+[^\s<>()\"'\].,;:!?]")
_BODY_KEYS = ("body", "content", "body_html", "html", "markdown", "text", "article_body", "articleBody")
_HTML_HINT = re.compile(r"<(?:p|div|h[1-6]|article|section|br|ul|ol|li|a|span|strong|em|table)\b", re.I)


@dataclass
class Source:
    path: str
    title: str
    sentences: list[str] = field(default_factory=list)   # article prose
    artifacts: list[str] = field(default_factory=list)   # page furniture sentences
    ad_code: list[str] = field(default_factory=list)     # script snippets
    headings: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    @property
    def words(self) -> int:
        return sum(len(s.split()) for s in self.sentences)


_ABBREV = re.compile(r"(?:^|\s)(?:Dr|Mr|Mrs|Ms|Prof|St|vs|etc|e\.g|i\.e|approx|No|Fig)\.$")
_NOT_HEADING = re.compile(r"^(?:references|sources|most popular|in this article|privacy policy|terms of use)$|https?://|^\W|\d{3}", re.I)


def split_sentences(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    glue = False
    for m in _SENTENCE_END.finditer(text):
        end = m.start()
        while end < m.end() and not text[end].isspace():
            end += 1  # a closing quote or bracket belongs to its sentence
        piece = " ".join(text[pos:end].split())
        pos = m.end()
        if piece:
            if glue and out:
                out[-1] += " " + piece
            else:
                out.append(piece)
        # "Dr. Rao" is one sentence; a line break always ends one.
        glue = bool(piece) and "\n" not in m.group(0) and bool(_ABBREV.search(out[-1] if out else ""))
    tail = " ".join(text[pos:].split())
    if tail:
        if glue and out:
            out[-1] += " " + tail
        else:
            out.append(tail)
    return out


def _heading_ok(h: str) -> bool:
    return 2 <= len(h.split()) <= 12 and not _NOT_HEADING.search(h)


def _add_prose(src: Source, text: str, *, min_words: int = 4) -> None:
    """Take ad code out of `text`, then sort its sentences into the pools."""
    for m in _AD_CODE.finditer(text):
        src.ad_code.append(m.group(0).strip())
    text = _AD_CODE.sub(" ", text)
    for s in split_sentences(text):
        if _ARTIFACT_CUES.search(s):
            src.artifacts.append(s)
        elif len(s.split()) >= min_words:
            src.sentences.append(s)
        elif s.endswith("?") and _heading_ok(s):
            src.headings.append(s)


def read_text(path: Path, text: str) -> Source:
    first, _, rest = text.partition("\n")
    title = ""
    if first.strip() and len(first) <= 150 and rest.startswith(("\n", "\r\n")) and first.strip()[-1] not in ".!?:;,":
        title, text = first.strip(), rest
    src = Source(str(path), title or path.stem.replace("-", " "))
    src.urls += _URL.findall(text)
    _add_prose(src, text)
    return src


_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]+)[^)]*\)")
_MD_PREFIX = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d{1,3}[.)]\s+)")


def read_markdown(path: Path, text: str) -> Source:
    title = ""
    m = _FRONT.match(text)
    if m:
        t = re.search(r"^(?:title|headline)\s*:\s*(.+)$", m.group(1), re.M)
        title = t.group(1).strip().strip("\"'") if t else ""
        text = text[m.end():]
    src = Source(str(path), title or path.stem.replace("-", " "))
    src.urls += [u for _, u in _MD_LINK.findall(text) if u.startswith("http")]
    in_fence = False
    blocks: list[str] = []
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence or re.match(r"^\s{0,3}\[[^\]]+\]:\s*\S", line):
            continue  # code, and reference-link definitions
        plain = _MD_LINK.sub(lambda mm: mm.group(1), line)
        plain = re.sub(r"<!--.*?-->|</?[A-Za-z][^>]*>|[*_`~]{1,3}", "", plain)
        if re.match(r"^\s{0,3}#{1,6}\s", line):
            heading = _MD_PREFIX.sub("", plain).strip().rstrip("#").strip()
            if heading and not title:
                title = src.title = heading
            elif _heading_ok(heading) and heading != title:
                src.headings.append(heading)
            blocks.append("")
            continue
        blocks.append(_MD_PREFIX.sub("", plain))
    _add_prose(src, "\n".join(" ".join(b.split()) for b in "\n".join(blocks).split("\n\n")))
    return src


class _HTMLText(HTMLParser):
    """Text of block elements, headings, script snippets and link targets."""

    BLOCKS = {"p", "li", "td", "th", "dd", "dt", "figcaption", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"}
    SKIP = {"style", "noscript", "button", "form", "select", "option", "template", "svg"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []  # (tag, text)
        self.scripts: list[str] = []
        self.urls: list[str] = []
        self.title = ""
        self._stack: list[tuple[str, list[str]]] = []
        self._skip = 0
        self._script: list[str] | None = None
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._script = []
        elif tag in self.SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in self.BLOCKS:
            self._flush_open()
            self._stack.append((tag, []))
        elif tag == "br" and self._stack:
            self._stack[-1][1].append(" ")
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("http://", "https://")):
                self.urls.append(href)

    def handle_endtag(self, tag):
        if tag == "script":
            if self._script is not None:
                self.scripts.append("".join(self._script))
            self._script = None
        elif tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in self.BLOCKS:
            for i in range(len(self._stack) - 1, -1, -1):
                if self._stack[i][0] == tag:
                    while len(self._stack) > i:
                        t, parts = self._stack.pop()
                        self.blocks.append((t, "".join(parts)))
                    break

    def _flush_open(self) -> None:
        # A block opening inside another (a list inside a paragraph): keep what came before.
        if self._stack and "".join(self._stack[-1][1]).strip():
            t, parts = self._stack[-1]
            self.blocks.append((t, "".join(parts)))
            parts.clear()

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)
        elif self._in_title:
            self.title += data
        elif not self._skip and self._stack:
            self._stack[-1][1].append(data)


def read_html(path: Path, text: str, label: str | None = None) -> Source:
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    h1 = next((" ".join(t.split()) for tag, t in parser.blocks if tag == "h1" and t.strip()), "")
    src = Source(label or str(path), h1 or " ".join(parser.title.split()) or path.stem.replace("-", " "))
    src.urls += parser.urls
    for script in parser.scripts:
        for line in script.splitlines():
            src.ad_code += [m.group(0).strip() for m in _AD_CODE.finditer(line)]
    prose = []
    for tag, t in parser.blocks:
        t = " ".join(t.split())
        if not t or t == h1:
            continue
        if tag[0] == "h" and tag[1:].isdigit():
            if _heading_ok(t):
                src.headings.append(t)
        else:
            prose.append(t)
    _add_prose(src, "\n".join(prose))
    return src


def read_jsonl(path: Path, text: str) -> list[Source]:
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        key = next((k for k in _BODY_KEYS if isinstance(data.get(k), str) and data[k].strip()), None)
        if key is None:
            continue
        body, label = data[key], f"{path}#{n}"
        title = next((str(data[k]) for k in ("title", "headline", "name") if data.get(k)), "")
        if key == "markdown":
            src = read_markdown(Path(label), body)
        elif key in ("html", "body_html") or _HTML_HINT.search(body):
            src = read_html(Path(label), body, label)
        else:
            src = read_text(Path(label), body)
        src.path = label
        if title:
            src.title = title
        out.append(src)
    return out


def read_sources(folder: Path) -> tuple[list[Source], list[dict]]:
    """The usable source articles in `folder`, and (path, sha256) of every file read."""
    sources: list[Source] = []
    hashes: list[dict] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
        suffix = path.suffix.lower()
        if suffix not in (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".jsonl", ".ndjson"):
            continue
        data = path.read_bytes()
        text = data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
        if suffix in (".txt", ".text"):
            found = [read_text(path, text)]
        elif suffix in (".md", ".markdown"):
            found = [read_markdown(path, text)]
        elif suffix in (".html", ".htm"):
            found = [read_html(path, text)]
        else:
            found = read_jsonl(path, text)
        found = [s for s in found if s.words >= 50]
        if found:
            sources += found
            hashes.append({"path": str(path.relative_to(REPO) if path.is_relative_to(REPO) else path),
                           "sha256": hashlib.sha256(data).hexdigest()})
    return sources, hashes


# --- building articles -------------------------------------------------------

_FIRST = ["Megan", "Daniel", "Aisha", "Tomás", "Priya", "Jonathan", "Grace", "Kenji", "Olivia", "Samuel"]
_LAST = ["Holloway", "Okafor", "Lindqvist", "Reyes", "Chandra", "Whitaker", "Nakamura", "Brennan", "Moreau", "Adeyemi"]
_CRED = ["MD", "DO", "DPT", "PharmD", "RN", "MPH, RD"]


@dataclass
class Generated:
    index: int
    fmt: str           # txt | md | jsonl
    title: str
    paragraphs: list[list[str]]  # each item a sentence, heading ("## ") or list item ("- ")
    meta: dict
    urls: list[str]
    words: int
    artifacts: int


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))


def _mutate_ad(code: str, rng: random.Random) -> str:
    """The same ad call with other slot numbers, as on another page of the site."""
    return re.sub(r"(?<![\w-])\d{1,4}(?![\w-])", lambda m: str(rng.randrange(1, 1000)), code)


def build_article(index: int, seed: int, sources: list[Source], formats: tuple[str, ...]) -> Generated:
    rng = random.Random(f"medreview-bench:{seed}:{index}")
    fmt = formats[0] if len(formats) == 1 else rng.choice(formats)
    weights = [s.words for s in sources]
    primary = rng.choices(range(len(sources)), weights=weights)[0]
    first = list(sources[primary].sentences)
    rest = [s for i, src in enumerate(sources) if i != primary for s in src.sentences]
    rng.shuffle(first)
    rng.shuffle(rest)
    order = first + rest

    target = rng.randint(MIN_WORDS, MAX_WORDS)
    chosen: list[str] = []
    words = 0
    while words < target:
        if not order:  # every sentence used: go round again in a new order
            order = first + rest
            rng.shuffle(order)
        s = order.pop(0)
        chosen.append(s)
        words += len(s.split())

    # Page furniture: about one piece per 150-300 words, spread through the text.
    pool_art = [a for src in sources for a in src.artifacts]
    pool_ad = [a for src in sources for a in src.ad_code]
    n_art = max(2, round(words / rng.uniform(150, 300)))
    artifacts = 0
    for _ in range(n_art):
        at = rng.randrange(len(chosen) + 1)
        if pool_ad and rng.random() < 0.3:
            code = _mutate_ad(rng.choice(pool_ad), rng)
            if at < len(chosen) and rng.random() < 0.5:
                chosen[at] = code + " " + chosen[at]  # glued in front of a sentence, as scraped
            else:
                chosen.insert(at, code)
        elif pool_art:
            chosen.insert(at, rng.choice(pool_art))
        else:
            continue
        artifacts += 1

    # Paragraphs of 2-7 sentences; now and then a heading or a short list.
    headings = [h for src in sources for h in src.headings] + [s for s in chosen if s.endswith("?") and len(s.split()) <= 12]
    paragraphs: list[list[str]] = []
    blob = fmt == "txt" and rng.random() < 0.15  # scraped as one long line, like the sample
    i = 0
    while i < len(chosen):
        if blob:
            paragraphs.append(chosen[i:])
            break
        size = rng.randint(2, 7)
        if headings and paragraphs and rng.random() < 0.2:
            paragraphs.append(["## " + rng.choice(headings).rstrip(".")])
        if fmt != "txt" and rng.random() < 0.1:
            paragraphs.append(["- " + s for s in chosen[i:i + size]])
        else:
            paragraphs.append(chosen[i:i + size])
        i += size

    published = _date(rng, dt.date(2012, 1, 1), dt.date(2024, 12, 31))
    updated = _date(rng, published, dt.date(2026, 6, 30))
    meta = {
        "author": _person(rng),
        "reviewed_by": f"Dr. {_person(rng)}, {rng.choice(_CRED)}" if rng.random() < 0.7 else None,
        "published": published.isoformat(),
        "updated": updated.isoformat() if rng.random() < 0.8 else None,
        "last_reviewed": _date(rng, published, dt.date(2026, 6, 30)).isoformat() if rng.random() < 0.5 else None,
    }
    urls = sorted({u for src in sources for u in src.urls})
    title = sources[primary].title
    return Generated(index, fmt, title, paragraphs, meta, urls, words, artifacts)


def render_txt(a: Generated) -> str:
    parts = [a.title, ""]
    for p in a.paragraphs:
        if p[0].startswith("## "):
            parts += [p[0][3:], ""]
        else:
            parts += [" ".join(s.removeprefix("- ") for s in p), ""]
    return "\n".join(parts)


def render_md(a: Generated, rng: random.Random) -> str:
    front = ["---", f"title: {json.dumps(a.title, ensure_ascii=False)}", f"author: {json.dumps(a.meta['author'])}"]
    for key in ("reviewed_by", "published", "updated", "last_reviewed"):
        if a.meta.get(key):
            front.append(f"{key}: {json.dumps(a.meta[key], ensure_ascii=False)}")
    front += ["---", "", f"# {a.title}", ""]
    body = []
    for p in a.paragraphs:
        if p[0].startswith(("## ", "- ")):
            body += p
        else:
            body.append(" ".join(_md_inline(s, a.urls, rng) for s in p))
        body.append("")
    return "\n".join(front + body)


def _md_inline(sentence: str, urls: list[str], rng: random.Random) -> str:
    """Now and then a link or some emphasis on a few words of the sentence."""
    words = sentence.split(" ")
    if len(words) < 6 or _AD_CODE.search(sentence) or any(c in sentence for c in "[]*_`<>"):
        return sentence
    r = rng.random()
    if r < 0.08 and urls:
        i = rng.randrange(len(words) - 3)
        j = i + rng.randint(2, 3)
        words[i:j] = [f"[{' '.join(words[i:j])}]({rng.choice(urls)})"]
    elif r < 0.12:
        i = rng.randrange(len(words) - 2)
        if words[i].isalpha() and words[i + 1].isalpha():
            words[i:i + 2] = [f"**{words[i]} {words[i + 1]}**"]
    return " ".join(words)


def jsonl_record(a: Generated, rng: random.Random) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", a.title.lower()).strip("-")[:60]
    rec = {"id": f"{slug}-{a.index:06d}", "title": a.title, "author": a.meta["author"],
           "reviewed_by": a.meta["reviewed_by"], "date_published": a.meta["published"],
           "date_modified": a.meta["updated"], "last_reviewed": a.meta["last_reviewed"]}
    if rng.random() < 0.3:
        rec["markdown"] = render_md(a, rng).split("---\n", 2)[2].lstrip()
    else:
        rec["body"] = render_txt(a).partition("\n\n")[2]
    return json.dumps({k: v for k, v in rec.items() if v is not None}, ensure_ascii=False)


def generate(n: int, outdir: Path, *, seed: int = 0, formats: tuple[str, ...] = ("txt",),
             per_dir: int = 100, bundle: int = 25, sources_dir: Path = DEFAULT_SOURCES,
             force: bool = False, quiet: bool = False) -> dict:
    """Write the corpus; return its manifest."""
    sources, hashes = read_sources(sources_dir)
    if not sources:
        raise SystemExit(f"generate_corpus: no usable articles in {sources_dir}")
    if outdir.exists() and any(outdir.iterdir()):
        if not force:
            raise SystemExit(f"generate_corpus: {outdir} is not empty (use --force to replace a generated corpus)")
        if not (outdir / MANIFEST).is_file():
            raise SystemExit(f"generate_corpus: {outdir} has no {MANIFEST}; refusing to delete a folder this script did not write")
        shutil.rmtree(outdir)
    outdir.mkdir(parents=True, exist_ok=True)

    files = 0
    totals = {"words": 0, "artifacts": 0, "by_format": {f: 0 for f in formats}}
    pending: list[str] = []

    def place(suffix: str) -> Path:
        nonlocal files
        folder = outdir / f"d{files // per_dir:04d}"
        folder.mkdir(exist_ok=True)
        path = folder / f"a{files:06d}{suffix}"
        files += 1
        return path

    def flush_bundle() -> None:
        if pending:
            place(".jsonl").write_text("\n".join(pending) + "\n", encoding="utf-8")
            pending.clear()

    for i in range(n):
        art = build_article(i, seed, sources, formats)
        rng = random.Random(f"medreview-bench-render:{seed}:{i}")
        totals["words"] += art.words
        totals["artifacts"] += art.artifacts
        totals["by_format"][art.fmt] += 1
        if art.fmt == "txt":
            place(".txt").write_text(render_txt(art), encoding="utf-8")
        elif art.fmt == "md":
            place(".md").write_text(render_md(art, rng), encoding="utf-8")
        else:
            pending.append(jsonl_record(art, rng))
            if len(pending) >= bundle:
                flush_bundle()
    flush_bundle()

    manifest = {
        "generator": GENERATOR_VERSION, "articles": n, "seed": seed, "formats": list(formats),
        "per_dir": per_dir, "bundle": bundle, "files": files,
        "words_generated": totals["words"], "artifacts_inserted": totals["artifacts"],
        "by_format": totals["by_format"], "sources": hashes,
    }
    (outdir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    if not quiet:
        print(f"wrote {n} articles in {files} files under {outdir} "
              f"({totals['words']:,} words, {totals['artifacts']:,} artifacts, from {len(sources)} source articles)",
              file=sys.stderr)
    return manifest


def parse_formats(value: str) -> tuple[str, ...]:
    formats = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(FORMATS)} (got {value!r})")
    return formats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int, help="number of articles")
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--formats", type=parse_formats, default=("txt",), help="comma-separated: txt,md,jsonl (default txt)")
    ap.add_argument("--per-dir", type=int, default=100, help="files per sub-folder (default 100)")
    ap.add_argument("--bundle", type=int, default=25, help="articles per .jsonl bundle (default 25)")
    ap.add_argument("--sources", type=Path, default=DEFAULT_SOURCES, help="folder of real articles (default corpus/)")
    ap.add_argument("--force", action="store_true", help="replace an existing generated corpus in OUTDIR")
    args = ap.parse_args(argv)
    if args.n < 1 or args.per_dir < 1 or args.bundle < 1:
        ap.error("N, --per-dir and --bundle must be at least 1")
    generate(args.n, args.outdir, seed=args.seed, formats=args.formats, per_dir=args.per_dir,
             bundle=args.bundle, sources_dir=args.sources, force=args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What the HTML reader makes of each tag: blocks, void elements, never-text, page furniture,
article containers, and HTML5's implied end tags."""

from __future__ import annotations

BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary "
    "table tbody td tfoot th thead tr ul br".split()
)
VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# Never text: code, styling, embedded media and the document head.
SKIP_TAGS = frozenset("script style noscript template svg math iframe object canvas select option textarea head".split())
# Page furniture that is never article text.
FURNITURE_TAGS = frozenset("nav aside form button dialog menu".split())
# Furniture only outside <article>/<main>: inside, a <header> holds the title and byline.
OUTER_FURNITURE_TAGS = frozenset(("header", "footer"))
CONTAINER_TAGS = frozenset(("article", "main"))
# A class like "has-ads" on these says what the page carries, not that they are an ad.
_NEVER_AD = frozenset(("html", "body", "article", "main"))

# HTML5's implied end tags (HTMLParser builds no tree, so an unclosed <p> or <li>
# would stay open for the rest of the page). Elements that are not "inline" stop
# the search for the element a start tag closes.
_TABLE_TAGS = frozenset("table caption colgroup col tbody thead tfoot tr td th".split())
NON_INLINE_TAGS = (BLOCK_TAGS | SKIP_TAGS | FURNITURE_TAGS | CONTAINER_TAGS | _TABLE_TAGS
                   | frozenset("li dd dt center dir hgroup menu search listing xmp plaintext button "
                               "applet marquee optgroup".split()))
# A start tag of one of these closes an open <p> (when the <p> is the innermost non-inline element).
P_CLOSERS = frozenset(
    "address article aside blockquote center details dialog dir div dl dd dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hgroup hr li listing main menu nav ol p plaintext pre search "
    "section summary table ul xmp".split()
)
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# tag -> (the open elements its start tag closes, elements skipped while looking, elements that stop the
# search); None as the skip set means "every element not in the stop set".
_IMPLIED_END: dict[str, tuple[frozenset[str], frozenset[str] | None, frozenset[str]]] = {}
_IMPLIED_END["li"] = (frozenset(("li",)), frozenset(("p", "div", "address")), NON_INLINE_TAGS)
for _t in ("dd", "dt"):
    _IMPLIED_END[_t] = (frozenset(("dd", "dt")), frozenset(("p", "div", "address")), NON_INLINE_TAGS)
for _t in ("td", "th"):
    _IMPLIED_END[_t] = (frozenset(("td", "th")), None,
                        frozenset("table caption tr tbody thead tfoot html template".split()))
_IMPLIED_END["tr"] = (frozenset(("tr",)), None, frozenset("table caption tbody thead tfoot html template".split()))
for _t in ("tbody", "thead", "tfoot"):
    _IMPLIED_END[_t] = (frozenset(("tbody", "thead", "tfoot")), None, frozenset(("table", "caption", "html", "template")))
_IMPLIED_END["option"] = (frozenset(("option",)), frozenset(), NON_INLINE_TAGS - {"option"})
_IMPLIED_END["optgroup"] = (frozenset(("optgroup",)), frozenset(("option",)), NON_INLINE_TAGS - {"option", "optgroup"})
del _t

"""Markdown that staff type, rendered to HTML that cannot carry a script."""

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "blockquote", "h2", "h3", "h4", "h5",
    "a", "hr", "table", "thead", "tbody", "tr", "th", "td", "code", "pre",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text: str) -> SafeString:
    """Markdown → HTML, then nh3 keeps only the tags above and safe link schemes (no script, no on*)."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 — sanitised by nh3 just above

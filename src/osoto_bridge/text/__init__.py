"""The neutral rich-text model, its parsers and its per-platform renderers.

Text crosses the bridge as a :class:`Document`: parsed from where it was written
(:func:`from_osoto`, :func:`from_telegram`, :func:`from_slack`, :func:`from_plain`)
or built with the helpers (:func:`doc`, :func:`paragraph`, :func:`bold`, ...), then
rendered for where it goes (:func:`render_osoto`, :func:`render_telegram_html`,
:func:`render_slack_mrkdwn`, :func:`render_plain`), split to each platform's limit
by the ``*_parts`` functions. Renderers escape every piece of user text and
neutralise every mention (:func:`neutralize`), so relayed text can neither ping
anyone nor inject markup.
"""

from osoto_bridge.text.attribution import (
    attributed,
    emphasize_attribution,
    excerpt,
    reply_quote,
)
from osoto_bridge.text.build import (
    bold,
    bullet_list,
    button,
    code,
    doc,
    heading,
    italic,
    line_break,
    link,
    paragraph,
    pre,
    quote,
    strike,
    text,
)
from osoto_bridge.text.korean import fill_particles, pick_particle, resolve_particles
from osoto_bridge.text.limits import (
    OSOTO_MAX_CONTENT,
    SLACK_MAX_TEXT,
    TELEGRAM_MAX_MARKUP,
    TELEGRAM_MAX_TEXT,
    utf16_len,
)
from osoto_bridge.text.mentions import (
    WORD_JOINER,
    has_live_mention,
    neutralize,
    restore,
)
from osoto_bridge.text.model import (
    Block,
    Bold,
    BulletList,
    Button,
    ButtonRows,
    Code,
    Document,
    Heading,
    Italic,
    LineBreak,
    Link,
    Paragraph,
    Pre,
    Quote,
    Span,
    Strike,
    Text,
    normalize,
)
from osoto_bridge.text.osoto_parse import (
    from_osoto,
)
from osoto_bridge.text.osoto_render import (
    render_osoto,
)
from osoto_bridge.text.parts import (
    render_osoto_parts,
    render_plain_parts,
    render_slack_parts,
    render_telegram_html_parts,
    split_slack,
    split_telegram,
)
from osoto_bridge.text.plain import (
    from_plain,
    render_plain,
)
from osoto_bridge.text.slack_parse import (
    from_slack,
)
from osoto_bridge.text.slack_render import (
    render_slack_mrkdwn,
)
from osoto_bridge.text.split import (
    CONTINUATION,
    split,
    split_document,
)
from osoto_bridge.text.telegram_parse import (
    from_telegram,
)
from osoto_bridge.text.telegram_render import (
    measure_telegram,
    render_telegram_html,
)
from osoto_bridge.text.urls import (
    is_safe_url,
)

__all__ = [
    "CONTINUATION",
    "OSOTO_MAX_CONTENT",
    "SLACK_MAX_TEXT",
    "TELEGRAM_MAX_MARKUP",
    "TELEGRAM_MAX_TEXT",
    "WORD_JOINER",
    "Block",
    "Bold",
    "BulletList",
    "Button",
    "ButtonRows",
    "Code",
    "Document",
    "Heading",
    "Italic",
    "LineBreak",
    "Link",
    "Paragraph",
    "Pre",
    "Quote",
    "Span",
    "Strike",
    "Text",
    "attributed",
    "bold",
    "bullet_list",
    "button",
    "code",
    "doc",
    "emphasize_attribution",
    "excerpt",
    "fill_particles",
    "from_osoto",
    "from_plain",
    "from_slack",
    "from_telegram",
    "has_live_mention",
    "heading",
    "is_safe_url",
    "italic",
    "line_break",
    "link",
    "measure_telegram",
    "neutralize",
    "normalize",
    "paragraph",
    "pick_particle",
    "pre",
    "quote",
    "render_osoto",
    "render_osoto_parts",
    "render_plain",
    "render_plain_parts",
    "render_slack_mrkdwn",
    "render_slack_parts",
    "render_telegram_html",
    "render_telegram_html_parts",
    "reply_quote",
    "resolve_particles",
    "restore",
    "split",
    "split_document",
    "split_slack",
    "split_telegram",
    "strike",
    "text",
    "utf16_len",
]

"""Strategies and checkers shared by the text tests."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from osoto_bridge.text import (
    Block,
    Bold,
    BulletList,
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

# Deterministic and quick: the same examples on every run, no example database.
PROPERTY = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow],
)

HOSTILE = [
    "<", ">", "&", "*", "_", "~", "`", "```", "\\", "[", "](", ")", "|", ":", "#",
    "@here", "@channel", "@everyone", "@alice", "＠here", "a@b.c",
    "<!channel>", "<!here>", "<!everyone>", "<@U123>", "<@U123|bob>", "<#C1|general>",
    "<!subteam^S1|@team>", "&amp;", "&lt;", "&gt;", "&#60;", "<b>", "</a>", '<a href="x">',
    "http://x.y", "https://a.b/c?d=1&e=2", "https://a.b/(c)", "mailto:a@b.c",
    "😀", "👍🏽", "👨‍👩‍👧", "🇰🇷🇯🇵", "한국어", "中文", "עברית", "مرحبا", "e\u0301", "𝔘𝔫𝔦",
    "\n", "\n\n", " ", "  ", "\t", "> ", "**", "~~", "__", "\u2060", "\u200b", "\u00a0",
    "snake_case", "5 * 3", "~5", "word", "Word.", "(paren)",
]  # fmt: skip

hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=4)), max_size=16).map(
    "".join
)

urls = st.one_of(
    st.sampled_from(
        ["https://example.com", "https://a.b/c?d=1&e=2", "http://x.y/@here", "mailto:a@b.c"]
    ),
    st.sampled_from(["javascript:alert(1)", "tg://user?id=1", "https://a.b/<!here>|x"]),
)

# Smaller pieces for trees, which multiply them.
_piece = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=3)), max_size=5).map("".join)
_leaf: st.SearchStrategy[Span] = st.one_of(_piece.map(Text), _piece.map(Code), st.just(LineBreak()))


def _wrap(children: st.SearchStrategy[Span]) -> st.SearchStrategy[Span]:
    group = st.lists(children, min_size=1, max_size=3).map(tuple)
    return st.one_of(
        group.map(Bold),
        group.map(Italic),
        group.map(Strike),
        st.builds(Link, urls, group),
    )


spans = st.lists(st.recursive(_leaf, _wrap, max_leaves=5), min_size=1, max_size=4).map(tuple)

_simple_blocks: st.SearchStrategy[Block] = st.one_of(
    spans.map(Paragraph),
    spans.map(Heading),
    st.builds(Pre, _piece, st.sampled_from([None, "python", 'x"><b>'])),
    st.lists(spans, min_size=1, max_size=3).map(lambda items: BulletList(tuple(items))),
)
blocks: st.SearchStrategy[Block] = st.one_of(
    _simple_blocks,
    st.lists(
        st.one_of(_simple_blocks, st.lists(_simple_blocks, max_size=2).map(tuple).map(Quote)),
        min_size=1,
        max_size=3,
    )
    .map(tuple)
    .map(Quote),
)

rich_documents = st.lists(blocks, max_size=3).map(lambda bs: normalize(Document(tuple(bs))))


class TelegramHtmlChecker(HTMLParser):
    """Parses rendered Telegram HTML; records problems instead of raising."""

    ATTRIBUTES: ClassVar[dict[str, set[str]]] = {"a": {"href"}, "code": {"class"}}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        from osoto_bridge.text.telegram_render import ALLOWED_TAGS

        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, _ in attrs:
            if name not in self.ATTRIBUTES.get(tag, set()):
                self.problems.append(f"attribute {name} on <{tag}>")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @classmethod
    def check(cls, markup: str) -> str:
        """Return the visible text of ``markup``; fail if it is not well formed."""
        checker = cls()
        checker.feed(markup)
        checker.close()
        assert not checker.problems, (checker.problems, markup)
        assert not checker.stack, ("unclosed", checker.stack, markup)
        return "".join(checker.text)


_SLACK_LINK = re.compile(r"<((?:https?|mailto):[^|>]*)(?:\|([^>]*))?>")
_OSOTO_TARGET = re.compile(r"\]\((<[^>]*>|[^\s)]*(?:\([^\s)]*\)[^\s)]*)*)\)")


def slack_visible(mrkdwn: str) -> str:
    """Slack text with our own links replaced by their labels (targets never ping)."""
    return _SLACK_LINK.sub(lambda m: m.group(2) or "", mrkdwn)


def osoto_visible(markdown: str) -> str:
    """Osoto content with link targets removed (they are addresses, not text)."""
    return _OSOTO_TARGET.sub("]", markdown)


def shown_text(document: Document) -> str:
    """The text a document shows, block by block; link targets left out."""
    from osoto_bridge.text.model import spans_plain_text

    def block_text(block: Block) -> str:
        if isinstance(block, Paragraph | Heading):
            return spans_plain_text(block.spans, link_urls=False)
        if isinstance(block, Pre):
            return block.value
        if isinstance(block, Quote):
            return "\n\n".join(block_text(inner) for inner in block.blocks)
        assert isinstance(block, BulletList)
        return "\n".join("• " + spans_plain_text(item, link_urls=False) for item in block.items)

    return "\n\n".join(block_text(block) for block in document.blocks)

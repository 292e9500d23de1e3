"""Documents into Slack posts: parts, Block Kit buttons, sender names (pure functions)."""

from __future__ import annotations

from osoto_bridge.chat.slack.outbound import (
    action_name,
    button_blocks,
    clean_username,
    render_posts,
)
from osoto_bridge.text import (
    Button,
    Document,
    bold,
    doc,
    from_osoto,
    has_live_mention,
    paragraph,
)


def test_a_short_document_is_one_post_without_blocks() -> None:
    (post,) = render_posts(doc(paragraph("See ", bold("you"), " at 7")))
    assert post.text == "See *you* at 7"
    assert post.blocks == ()


def test_a_long_document_is_split_and_kept_whole() -> None:
    words = [f"word{n}" for n in range(3000)]
    document = doc(" ".join(words))
    posts = render_posts(document)
    assert len(posts) > 1
    assert all(len(post.text) <= 3000 for post in posts)
    seen = " ".join(post.text for post in posts).split()
    assert [w for w in seen if w.startswith("word")] == words


def test_buttons_go_under_the_last_part_with_unique_action_ids() -> None:
    rows = (
        (Button("✓ 1", "todo_done", "item1"), Button("✓ 2", "todo_done", "item2")),
        (Button("✓ 3", "todo_done", "item3"),),
    )
    document = Document(doc("x " * 2000).blocks, buttons=rows)
    posts = render_posts(document)
    assert len(posts) == 2
    assert posts[0].blocks == ()
    section, *actions = posts[-1].blocks
    assert section == {"type": "section", "text": {"type": "mrkdwn", "text": posts[-1].text}}
    assert [block["type"] for block in actions] == ["actions", "actions"]
    elements = [element for block in actions for element in block["elements"]]
    ids = [element["action_id"] for element in elements]
    assert len(set(ids)) == 3
    assert {action_name(action_id) for action_id in ids} == {"todo_done"}
    assert [element["value"] for element in elements] == ["item1", "item2", "item3"]
    assert elements[0]["text"] == {"type": "plain_text", "text": "✓ 1", "emoji": True}


def test_buttons_alone_still_make_a_post() -> None:
    (post,) = render_posts(Document((), buttons=((Button("ok", "a", "v"),),)))
    assert post.blocks[0]["type"] == "actions"


def test_long_labels_are_cut_to_slacks_limit() -> None:
    (block,) = button_blocks(((Button("x" * 200, "a", "v"),),))
    assert len(block["elements"][0]["text"]["text"]) == 75


def test_relayed_text_cannot_ping_or_inject_markup() -> None:
    hostile = "<!channel> @here <@U123> <https://evil.test|click> *bold* &amp;"
    (post,) = render_posts(from_osoto(hostile))
    assert not has_live_mention(post.text)
    assert "|click>" not in post.text  # a bare URL stays its own label
    assert "<!" not in post.text and "<@" not in post.text


def test_sender_names_fit_slack() -> None:
    assert clean_username("  Ana\n  Maria ") == "Ana Maria"
    assert len(clean_username("x" * 200)) == 80
    assert clean_username("   ") == "someone"

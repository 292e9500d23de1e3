"""The fakes' rate limits: Telegram's and Slack's documented limits, on a virtual clock.

The buckets themselves (`fakes.limits`), and both fakes answering over HTTP as the
platforms do when a client goes past them: Telegram a 429 with
``parameters.retry_after``, Slack a 429 with ``Retry-After`` and ``ratelimited``.
"""

from __future__ import annotations

import httpx

from fakes.limits import SlackLimits, TelegramLimits, retry_after
from fakes.slack_api import BOT_TOKEN, FakeSlack
from fakes.telegram_api import FakeTelegram


class Clock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


def sends(
    limits: TelegramLimits | SlackLimits, method: str, chat: object, times: int
) -> list[float]:
    return [limits.check(method, chat) for _ in range(times)]


def test_a_telegram_chat_takes_three_at_once_then_one_a_second() -> None:
    clock = Clock()
    limits = TelegramLimits(clock)
    assert sends(limits, "sendMessage", 42, 4) == [0.0, 0.0, 0.0, 1.0]
    clock.now += 0.5
    assert limits.check("sendMessage", 42) == 0.5
    clock.now += 0.5
    assert limits.check("sendMessage", 42) == 0.0
    assert limits.check("sendMessage", 43) == 0.0  # another chat has its own bucket
    assert (limits.admitted, limits.refused) == (5, 2)


def test_a_telegram_group_takes_twenty_a_minute() -> None:
    clock = Clock()
    limits = TelegramLimits(clock)
    admitted = 0
    for _ in range(60):  # one a second for a minute: the chat's pace, not the group's
        admitted += limits.check("sendMessage", -100) == 0
        clock.now += 1.0
    # 20 at first, then one per 3 s earned over the minute
    assert 38 <= admitted <= 40
    assert limits.refused == 60 - admitted


def test_the_bot_takes_thirty_a_second_over_all_its_chats() -> None:
    clock = Clock()
    limits = TelegramLimits(clock)
    waits = [limits.check("sendMessage", 1000 + n) for n in range(31)]
    assert waits[:30] == [0.0] * 30
    assert 0 < waits[30] <= 1 / 30 + 1e-9


def test_a_refused_request_costs_no_token_and_reads_do_not_count() -> None:
    clock = Clock()
    limits = TelegramLimits(clock)
    sends(limits, "sendMessage", 7, 3)
    assert sends(limits, "sendMessage", 7, 5) == [1.0] * 5
    assert sends(limits, "getChatMember", 7, 50) == [0.0] * 50
    clock.now += 1.0
    assert limits.check("sendMessage", 7) == 0.0


def test_a_slack_channel_takes_four_at_once_then_one_a_second() -> None:
    clock = Clock()
    limits = SlackLimits(clock)
    assert sends(limits, "chat.postMessage", "C1", 5) == [0.0] * 4 + [1.0]
    clock.now += 1.0
    assert limits.check("chat.postMessage", "C1") == 0.0
    assert sends(limits, "users.info", "C1", 20) == [0.0] * 20


def test_the_slack_workspace_takes_fifty_a_second() -> None:
    clock = Clock()
    limits = SlackLimits(clock)
    waits = [limits.check("chat.postMessage", f"C{n}") for n in range(51)]
    assert waits[:50] == [0.0] * 50
    assert waits[50] > 0
    assert retry_after(waits[50]) == 1


def test_retry_after_is_whole_seconds_rounded_up() -> None:
    assert [retry_after(w) for w in (0.01, 1.0, 1.2, 2.999)] == [1, 1, 2, 3]


async def test_the_fake_telegram_answers_429_with_retry_after_as_the_bot_api() -> None:
    clock = Clock()
    async with FakeTelegram(limits=TelegramLimits(clock)) as fake, httpx.AsyncClient() as http:
        person = fake.user("Tess")
        group = fake.group("Trip", members=(person,))
        url = f"{fake.base_url}{fake.token}/sendMessage"
        answers = [
            await http.post(url, data={"chat_id": group.id, "text": f"m{n}"}) for n in range(4)
        ]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[3].json() == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        }
        assert fake.sent_429 == 1
        assert len(fake.sent(group)) == 3
        clock.now += 1.0
        again = await http.post(url, data={"chat_id": group.id, "text": "m3"})
        assert again.status_code == 200
        assert [m["text"] for m in fake.sent(group)] == ["m0", "m1", "m2", "m3"]


async def test_the_fake_telegram_has_no_limits_unless_asked() -> None:
    async with FakeTelegram() as fake, httpx.AsyncClient() as http:
        group = fake.group("Trip")
        url = f"{fake.base_url}{fake.token}/sendMessage"
        for n in range(10):
            assert (await http.post(url, data={"chat_id": group.id, "text": f"{n}"})).is_success
        assert fake.sent_429 == 0


async def test_the_fake_slack_answers_429_with_retry_after_and_ratelimited() -> None:
    clock = Clock()
    async with FakeSlack(limits=SlackLimits(clock)) as fake, httpx.AsyncClient() as http:
        fake.add_channel("C1", "trip")
        headers = {"authorization": f"Bearer {BOT_TOKEN}"}
        url = f"{fake.api_url}chat.postMessage"
        answers = [
            await http.post(url, json={"channel": "C1", "text": f"m{n}"}, headers=headers)
            for n in range(5)
        ]
        assert [a.status_code for a in answers] == [200] * 4 + [429]
        assert answers[4].headers["retry-after"] == "1"
        assert answers[4].json() == {"ok": False, "error": "ratelimited"}
        assert fake.sent_429 == 1
        assert len(fake.posted_in("C1")) == 4
        clock.now += 1.0
        again = await http.post(url, json={"channel": "C1", "text": "m4"}, headers=headers)
        assert again.json()["ok"] is True
        assert [p.text for p in fake.posted_in("C1")] == [f"m{n}" for n in range(5)]

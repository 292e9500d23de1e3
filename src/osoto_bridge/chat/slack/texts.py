"""What the Slack adapter says in its own words (link flow, refusals), in en and ko.

The trip answers come from the commands' catalogs; these few lines belong to flows
only Slack has (the link modal, the slash command's refusals), so they live here.
"""

from __future__ import annotations

from osoto_bridge.i18n import match_language
from osoto_bridge.text import fill_particles

__all__ = ["language_of", "say"]

_EN: dict[str, str] = {
    "not_linked": (
        "This channel is not linked to an Osoto trip yet. "
        "A workspace admin can link it with /osoto link."
    ),
    "admins_only": "Only a workspace admin or owner can link or unlink a channel.",
    "key_in_command": (
        "⚠️ Never type an API key into a command: it was not used. It has passed through "
        "Slack, so revoke it in Osoto (Settings → API keys), then run /osoto link and paste "
        "a new key into the private form."
    ),
    "link_in_channel": "Run /osoto link in the channel you want to link.",
    "link_by_form": "Use /osoto link: it opens a private form for the key.",
    "unlinked": "🔌 This channel is no longer linked to Osoto (unlinked by {name}).",
    "nothing_to_unlink": "This channel is not linked, so there is nothing to unlink.",
    "linked": (
        "🔗 This channel is now linked to the Osoto trip {trip} (#{channel}) by {name}. "
        "Messages are relayed both ways; /osoto help lists what I can answer."
    ),
    "modal_title": "Link to Osoto",
    "modal_cancel": "Cancel",
    "modal_check": "Check key",
    "modal_link": "Link",
    "modal_close": "Close",
    "modal_intro": (
        "Paste an Osoto API key for the trip this channel should follow. It is stored "
        "encrypted and never shown in the channel."
    ),
    "key_label": "Osoto API key",
    "key_hint": (
        "Best limited to the trip: messages:read and messages:write to relay, trips:read "
        "for answers, trips:write for /osoto todo add and the done buttons."
    ),
    "key_malformed": "That does not look like an Osoto API key (osk_…).",
    "trip_label": "Trip ID (optional)",
    "trip_hint": (
        "Needed when the key reaches several trips, or only one trip's messages and no "
        "chat links that trip yet (Osoto then does not say which trip it is for)."
    ),
    "checking": "Checking the key with Osoto…",
    "linking": "Linking the channel…",
    "key_refused": "⚠️ The key cannot be used: {reason}",
    "trip_line": "Trip: {trip}",
    "channel_label": "Osoto channel to relay",
    "done": "Linked: this channel now follows {trip} (#{channel}).",
    "expired": "This form has expired. Run /osoto link again.",
    "invite_first": (
        "I am not a member of this private channel. Invite me (/invite @Osoto) and run "
        "/osoto link again."
    ),
    "link_failed": "⚠️ Linking failed: {reason}",
}

_KO: dict[str, str] = {
    "not_linked": (
        "이 채널은 아직 Osoto 여행에 연결되지 않았습니다. "
        "워크스페이스 관리자가 /osoto link 로 연결할 수 있습니다."
    ),
    "admins_only": "채널 연결과 해제는 워크스페이스 관리자나 소유자만 할 수 있습니다.",
    "key_in_command": (
        "⚠️ 명령어에 API 키를 입력하지 마세요. 이 키는 사용하지 않았습니다. "
        "Slack을 거쳤으니 Osoto(설정 → API 키)에서 폐기하고, "
        "/osoto link 를 실행해 비공개 양식에 새 키를 붙여 넣으세요."
    ),
    "link_in_channel": "연결할 채널에서 /osoto link 를 실행하세요.",
    "link_by_form": "/osoto link 를 사용하세요. 키를 넣을 비공개 양식이 열립니다.",
    "unlinked": "🔌 이 채널의 Osoto 연결이 해제되었습니다 ({name} 님이 해제).",
    "nothing_to_unlink": "이 채널은 연결되어 있지 않아 해제할 것이 없습니다.",
    "linked": (
        "🔗 {name} 님이 이 채널을 Osoto 여행 {trip} (#{channel})에 연결했습니다. "
        "메시지가 양쪽으로 전달되며, /osoto help 로 물어볼 수 있는 것을 볼 수 있습니다."
    ),
    "modal_title": "Osoto 연결",
    "modal_cancel": "취소",
    "modal_check": "키 확인",
    "modal_link": "연결",
    "modal_close": "닫기",
    "modal_intro": (
        "이 채널이 따라갈 여행의 Osoto API 키를 붙여 넣으세요. 키는 암호화되어 저장되며 "
        "채널에는 절대 표시되지 않습니다."
    ),
    "key_label": "Osoto API 키",
    "key_hint": (
        "여행 하나로 제한된 키를 권장합니다: 전달에는 messages:read 와 messages:write, "
        "답변에는 trips:read, 할 일 추가와 완료 버튼에는 trips:write."
    ),
    "key_malformed": "Osoto API 키(osk_…) 형식이 아닙니다.",
    "trip_label": "여행 ID (선택)",
    "trip_hint": (
        "키가 여러 여행에 접근하거나 한 여행의 메시지에만 접근할 때 필요합니다 "
        "(그때는 Osoto가 어느 여행의 키인지 알려 주지 않습니다)."
    ),
    "checking": "Osoto에서 키를 확인하는 중…",
    "linking": "채널을 연결하는 중…",
    "key_refused": "⚠️ 이 키는 사용할 수 없습니다: {reason}",
    "trip_line": "여행: {trip}",
    "channel_label": "전달할 Osoto 채널",
    "done": "연결 완료: 이 채널은 이제 {trip} (#{channel})을(를) 따라갑니다.",
    "expired": "양식이 만료되었습니다. /osoto link 를 다시 실행하세요.",
    "invite_first": (
        "이 비공개 채널의 멤버가 아닙니다. 저를 초대한 뒤(/invite @Osoto) /osoto link 를 "
        "다시 실행하세요."
    ),
    "link_failed": "⚠️ 연결하지 못했습니다: {reason}",
}

_CATALOGS = {"en": _EN, "ko": _KO}


def language_of(*hints: str | None) -> str:
    """The first supported language among ``hints`` (a locale, a link's language), or en."""
    for hint in hints:
        language = match_language(hint)
        if language in _CATALOGS:
            return language
    return "en"


def say(language: str, key: str, **values: str) -> str:
    """The line ``key`` in ``language`` (English when missing), filled with ``values``.

    Korean particles after a placeholder agree with its value (``{trip}을(를)``).
    """
    template = _CATALOGS.get(language, _EN).get(key) or _EN[key]
    return fill_particles(template, **values) if values else template

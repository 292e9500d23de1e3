"""What a pin category word means: `food`, `restaurant` and `맛집` ask for the same pins.

People label pins in their own words and languages, and ask in theirs. Each concept
below lists the words (English, Korean, and the main languages of travellers) that
name it; a concept may be narrower than another (a café is a place to eat), so
`/pins food` also finds cafés while `/pins cafe` finds only cafés.
"""

from __future__ import annotations

import functools
import unicodedata

__all__ = ["category_concepts", "fold", "same_category"]

# concept -> (broader concepts, words). Words are folded (see `fold`) when indexed.
_CONCEPTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "food": ((), (
        "food", "foods", "eat", "eats", "eating", "restaurant", "restaurants", "dining",
        "dinner", "lunch", "breakfast", "brunch", "meal", "cuisine", "eatery", "bistro",
        "diner", "street food", "foodie",
        "맛집", "음식", "음식점", "식당", "레스토랑", "먹거리", "밥집", "식사",
        "저녁", "점심", "아침",
        "nourriture", "cuisine", "manger", "essen", "gastronomie", "comida", "restaurante",
        "ristorante", "cibo", "レストラン", "食べ物", "グルメ", "食事", "餐厅", "美食",
    )),
    "cafe": (("food",), (
        "cafe", "cafes", "café", "cafés", "coffee", "coffee shop", "tea", "teahouse",
        "bakery", "bakeries", "dessert", "desserts",
        "카페", "커피", "빵집", "베이커리", "디저트", "찻집",
        "kaffee", "bäckerei", "boulangerie", "cafetería", "panadería", "カフェ", "咖啡",
    )),
    "bar": (("nightlife",), (
        "bar", "bars", "pub", "pubs", "drinks", "drink", "beer", "wine", "cocktails",
        "술집", "바", "펍", "호프", "와인", "맥주", "kneipe", "bière", "cerveza", "バー", "酒吧",
    )),
    "nightlife": ((), (
        "nightlife", "night life", "club", "clubs", "party", "나이트라이프", "클럽",
    )),
    "museum": (("sight",), (
        "museum", "museums", "gallery", "galleries", "art", "exhibition",
        "박물관", "미술관", "전시", "갤러리", "뮤지엄",
        "musée", "musées", "museo", "museos", "musei", "galerie", "博物館", "美術館", "博物馆",
    )),
    "sight": ((), (
        "sight", "sights", "sightseeing", "attraction", "attractions", "landmark",
        "landmarks", "monument", "monuments", "viewpoint", "must see", "tourist",
        "관광", "관광지", "명소", "볼거리", "구경", "랜드마크", "관광명소",
        "sehenswürdigkeit", "sehenswürdigkeiten", "attraction", "monument", "atracción",
        "monumento", "観光", "名所", "観光地", "景点",
    )),
    "shopping": ((), (
        "shopping", "shop", "shops", "store", "stores", "market", "markets", "mall",
        "souvenir", "souvenirs", "쇼핑", "시장", "상점", "가게", "기념품", "마켓",
        "einkaufen", "markt", "marché", "boutique", "mercado", "tienda", "買い物", "市場", "购物",
    )),
    "nature": ((), (
        "nature", "park", "parks", "garden", "gardens", "hike", "hiking", "beach",
        "beaches", "outdoors", "자연", "공원", "정원", "해변", "바다", "등산", "산책",
        "parc", "jardin", "plage", "parque", "playa", "strand", "公園", "自然", "公园",
    )),
    "stay": ((), (
        "stay", "stays", "hotel", "hotels", "lodging", "accommodation", "hostel", "airbnb",
        "숙소", "호텔", "숙박", "게스트하우스", "hôtel", "unterkunft", "alojamiento",
        "ホテル", "宿", "酒店",
    )),
    "transport": ((), (
        "transport", "transit", "station", "stations", "airport", "airports", "train",
        "bus", "metro", "subway", "ferry", "port", "교통", "역", "공항", "기차", "버스",
        "지하철", "항구", "gare", "bahnhof", "flughafen", "aéroport", "estación",
        "aeropuerto", "駅", "空港", "车站", "机场",
    )),
    "activity": ((), (
        "activity", "activities", "tour", "tours", "experience", "things to do", "fun",
        "활동", "투어", "체험", "놀거리", "액티비티", "aktivität", "activité", "actividad",
        "アクティビティ", "体験",
    )),
}  # fmt: skip


def fold(text: str) -> str:
    """Compare-form of a word: NFKC, casefolded, single spaces, `-` and `_` as spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("-", " ").replace("_", " ")
    return " ".join(folded.split())


@functools.cache
def _index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for concept, (_, words) in _CONCEPTS.items():
        for word in (concept, *words):
            index.setdefault(fold(word), set()).add(concept)
    return {word: frozenset(concepts) for word, concepts in index.items()}


def _with_broader(concepts: frozenset[str]) -> frozenset[str]:
    found = set(concepts)
    todo = list(concepts)
    while todo:
        for broader in _CONCEPTS[todo.pop()][0]:
            if broader not in found:
                found.add(broader)
                todo.append(broader)
    return frozenset(found)


def category_concepts(word: str) -> frozenset[str]:
    """The concepts a category word names (empty when it is not a known word).

    Args:
        word: A category as typed or as stored on a pin.

    Returns:
        The concepts, e.g. `{"food"}` for `맛집`, `{"cafe"}` for `Café`.
    """
    folded = fold(word)
    concepts = _index().get(folded)
    if concepts is None and len(folded) > 3 and folded.endswith("s"):
        concepts = _index().get(folded[:-1])  # a plural we did not list
    return concepts or frozenset()


def same_category(asked: str, category: str) -> bool:
    """Whether a pin of `category` answers a request for `asked`.

    Args:
        asked: What the user typed (`food`, `맛집`).
        category: The pin's category (`restaurant`).

    Returns:
        True when they name the same concept, or the pin's is narrower (a café for
        `food`).
    """
    wanted = category_concepts(asked)
    if not wanted:
        return False
    return bool(wanted & _with_broader(category_concepts(category)))

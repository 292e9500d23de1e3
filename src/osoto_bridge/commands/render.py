"""Pieces shared by the answers: map links, labels, event lines and stay blocks.

Everything here shows what the `TripView` holds and nothing more: sensitive fields
appear when present, and they are only present when the view kept them.
"""

from __future__ import annotations

import datetime as dt
import math
import string
from urllib.parse import quote_plus

from osoto_bridge.commands.timeline import Event, EventKind
from osoto_bridge.commands.tripclock import localize
from osoto_bridge.commands.view import TripView
from osoto_bridge.i18n import Translator
from osoto_bridge.osoto import Accommodation, Commitment, Flight, MapPin, RentalCar
from osoto_bridge.text import (
    Paragraph,
    Span,
    bold,
    code,
    doc,
    italic,
    link,
    paragraph,
    render_plain,
    resolve_particles,
)

__all__ = [
    "SpanLike",
    "address_url",
    "category_label",
    "event_spans",
    "pin_link",
    "pin_url",
    "rich",
    "role_label",
    "stay_paragraph",
    "trip_dates",
    "urgency_label",
]

SpanLike = Span | str

_MAX_ADDRESS = 300


def rich(template: str, /, **fields: SpanLike | list[SpanLike]) -> list[SpanLike]:
    """Fill a translated template's `{placeholders}` with spans instead of text.

    Translators move placeholders freely (`Done: {text}` / `완료: {text}`), and the
    values keep their formatting (bold, code, links).

    Args:
        template: The translated message, placeholders unfilled.
        **fields: A span, a string or a run of spans per placeholder.

    Returns:
        The spans.
    """
    out: list[SpanLike] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        if literal:
            # A Korean particle after a placeholder agrees with the value before it.
            shown = render_plain(doc(paragraph(*out))) if out and "(" in literal else ""
            out.append(resolve_particles(literal, after=shown) if shown else literal)
        if name is None:
            continue
        value = fields[name]
        if isinstance(value, list):
            out.extend(value)
        else:
            out.append(value)
    return out


def pin_url(lat: float, lng: float) -> str | None:
    """An OpenStreetMap link centred on a point, or None for impossible coordinates."""
    if not (math.isfinite(lat) and math.isfinite(lng)):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return (
        f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lng:.6f}#map=17/{lat:.6f}/{lng:.6f}"
    )


def address_url(address: str | None) -> str | None:
    """An OpenStreetMap search link for an address, or None without one."""
    if not address or not address.strip():
        return None
    query = quote_plus(" ".join(address.split())[:_MAX_ADDRESS])
    return f"https://www.openstreetmap.org/search?query={query}"


def pin_link(pin: MapPin) -> SpanLike:
    """A pin's name linked to its place on the map (plain name if it has no place)."""
    url = pin_url(pin.lat, pin.lng)
    return link(url, pin.name) if url else pin.name


def category_label(tr: Translator, category: str | None) -> str:
    """A commitment category in the chat's language; unknown ones as written."""
    labels = {
        "dinner": tr.gettext("dinner"),
        "activity": tr.gettext("activity"),
        "birthday": tr.gettext("birthday"),
        "meeting": tr.gettext("meeting"),
        "other": tr.gettext("other"),
    }
    return labels.get(category or "other", category or "")


def role_label(tr: Translator, role: str) -> str:
    """A member role in the chat's language; unknown ones as written."""
    labels = {
        "owner": tr.gettext("owner"),
        "editor": tr.gettext("editor"),
        "viewer": tr.gettext("viewer"),
    }
    return labels.get(role, role)


def urgency_label(tr: Translator, urgency: str) -> str:
    """An action-item urgency group title in the chat's language."""
    labels = {
        "now": tr.gettext("Now"),
        "before_trip": tr.gettext("Before the trip"),
        "nice_to_have": tr.gettext("Nice to have"),
    }
    return labels.get(urgency, tr.gettext("Other"))


def trip_dates(view: TripView) -> str:
    """The trip's dates as an interval: `Jul 14 – 22, 2026`."""
    return view.tr.date_range(view.calendar.start, view.calendar.end)


def _when(tr: Translator, event: Event, *, with_day: bool) -> str:
    if event.time is None:
        label = tr.gettext("All day") if event.kind is EventKind.COMMITMENT else ""
        return f"{tr.day(event.day)} {label}".strip() if with_day else label
    if with_day:
        return tr.gettext("{day} {time}", day=tr.day(event.day), time=tr.time(event.time))
    return tr.time(event.time)


def _flight_name(flight: Flight) -> str:
    number, airline = flight.flight_number, flight.airline
    if number and airline and not number.casefold().startswith(airline.casefold()):
        return f"{number} ({airline})"
    return number or airline or "?"


def _route(flight: Flight) -> str:
    return f"{flight.from_ or '?'} → {flight.to or '?'}"


def _confirmation(tr: Translator, number: str | None) -> list[SpanLike]:
    if not number:
        return []
    return [" · ", tr.gettext("confirmation"), " ", code(number)]


def _flight_spans(view: TripView, event: Event, flight: Flight) -> list[SpanLike]:
    tr = view.tr
    if event.kind is EventKind.FLIGHT_ARRIVE:
        return rich(
            tr.gettext("Flight {flight} lands ({route})"),
            flight=bold(_flight_name(flight)),
            route=_route(flight),
        )
    spans = rich(
        tr.gettext("Flight {flight} {route}"),
        flight=bold(_flight_name(flight)),
        route=_route(flight),
    )
    tz = event.leg.tz if event.leg else dt.UTC
    landing = localize(flight.arrive_at, tz)
    if landing is not None:
        when = tr.time(landing.time())
        if landing.date() != event.day:
            when = tr.day_time(landing)
        spans.append(", " + tr.gettext("lands {when}", when=when))
    return spans + _confirmation(tr, flight.confirmation_number)


def _car_spans(view: TripView, event: Event, car: RentalCar) -> list[SpanLike]:
    tr = view.tr
    company = car.company or tr.gettext("rental car")
    if event.kind is EventKind.CAR_PICKUP:
        spans = rich(tr.gettext("Pick up the rental car from {company}"), company=bold(company))
        if car.pickup_location:
            spans += [" · ", car.pickup_location]
    else:
        spans = rich(tr.gettext("Return the rental car to {company}"), company=bold(company))
    return spans + _confirmation(tr, car.confirmation_number)


def _commitment_spans(view: TripView, commitment: Commitment) -> list[SpanLike]:
    tr = view.tr
    spans: list[SpanLike] = [bold(commitment.title)]
    category = category_label(tr, commitment.category)
    if category:
        spans.append(f" ({category})")
    pin = view.pins.get(commitment.map_pin_id or "")
    if pin is not None:
        spans += [" · ", pin_link(pin)]
    if commitment.notes:
        spans += [" · ", italic(commitment.notes)]
    return spans


_ICONS = {
    EventKind.FLIGHT_DEPART: "✈️",
    EventKind.FLIGHT_ARRIVE: "✈️",
    EventKind.CAR_PICKUP: "🚗",
    EventKind.CAR_DROPOFF: "🚗",
    EventKind.CHECK_IN: "🏨",
    EventKind.CHECK_OUT: "🏨",
    EventKind.COMMITMENT: "📅",
}


def event_spans(view: TripView, event: Event, *, with_day: bool = False) -> list[SpanLike]:
    """One event as a line: icon, time, what happens.

    Args:
        view: The view the event came from.
        event: The event.
        with_day: Whether to name the date too (for lists spanning days).

    Returns:
        The spans of the line.
    """
    tr = view.tr
    when = _when(tr, event, with_day=with_day)
    spans: list[SpanLike] = [_ICONS[event.kind], " "]
    if when:
        spans.append(when + " · ")
    subject = event.subject
    if isinstance(subject, Flight):
        spans += _flight_spans(view, event, subject)
    elif isinstance(subject, RentalCar):
        spans += _car_spans(view, event, subject)
    elif isinstance(subject, Commitment):
        spans += _commitment_spans(view, subject)
    elif event.kind is EventKind.CHECK_IN:
        spans += rich(tr.gettext("Check in at {name}"), name=bold(subject.name))
    else:
        spans += rich(tr.gettext("Check out of {name}"), name=bold(subject.name))
    return spans


def _moment(view: TripView, value: str | None, tz: dt.tzinfo) -> str | None:
    if not value:
        return None
    moment = localize(value, tz)
    if moment is None:
        return value  # typed by a person; show it as they wrote it
    return view.tr.day_time(moment)


def stay_paragraph(view: TripView, place: Accommodation, tz: dt.tzinfo) -> Paragraph:
    """A place to sleep: name, address with a map link, times, and the details the
    view kept (wifi, door code, host phone, confirmation, check-in instructions).

    Args:
        view: The view.
        place: The accommodation or stay.
        tz: Its leg's zone, for its check-in and check-out times.

    Returns:
        The paragraph.
    """
    tr = view.tr
    spans: list[SpanLike] = ["🏨 ", bold(place.name)]
    url = address_url(place.address)
    if place.address and url:
        spans += ["\n", link(url, place.address)]
    times = []
    check_in = _moment(view, place.check_in, tz)
    check_out = _moment(view, place.check_out, tz)
    if check_in:
        times.append(tr.gettext("Check-in {when}", when=check_in))
    if check_out:
        times.append(tr.gettext("Check-out {when}", when=check_out))
    if times:
        spans += ["\n", " · ".join(times)]
    secrets: list[tuple[str, str | None]] = [
        (tr.gettext("Wi-Fi password"), place.wifi_password),
        (tr.gettext("Door code"), place.door_code),
        (tr.gettext("Host phone"), place.host_phone),
        (tr.gettext("Confirmation"), place.confirmation_number),
    ]
    for label, value in secrets:
        if value:
            spans += ["\n", *rich(tr.gettext("{label}: {value}"), label=label, value=code(value))]
    if place.check_in_instructions:
        spans.append("\n")
        spans += rich(
            tr.gettext("Check-in instructions: {text}"), text=italic(place.check_in_instructions)
        )
    return paragraph(*spans)

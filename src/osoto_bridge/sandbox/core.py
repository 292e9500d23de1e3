"""`Sandbox`: the server's state and its Python API for tests, demos and the CLI."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

from fastapi import FastAPI
from pydantic import ValidationError

from osoto_bridge.sandbox import auth, db, messaging, people, trips
from osoto_bridge.sandbox.app import build_app
from osoto_bridge.sandbox.context import Context
from osoto_bridge.sandbox.errors import ApiError, details_from_pydantic
from osoto_bridge.sandbox.fields import check_date
from osoto_bridge.sandbox.ids import new_api_key
from osoto_bridge.sandbox.models import MessageCreate
from osoto_bridge.sandbox.ratelimit import RateLimiter


def _value_error(exc: ApiError) -> ValueError:
    reasons = "; ".join(f"{d.path}: {d.reason}" for d in exc.details)
    return ValueError(f"{exc.message} ({reasons})" if reasons else exc.message)


class Sandbox:
    """A local Osoto server: an ASGI app over its own SQLite database.

    The methods below do what a person does in the Osoto app (create users, groups,
    trips, keys, channels; type messages); the public API has no endpoint for them.
    They raise `ValueError` for unknown ids or bad input.

    Args:
        db_path: SQLite file, or `:memory:`.
        rate_limit: requests per minute and API key.
        clock: returns the current time in epoch seconds.
    """

    def __init__(
        self,
        db_path: str = ":memory:",
        *,
        rate_limit: int = 60,
        clock: Callable[[], float] = time.time,
    ) -> None:
        conn = db.connect(db_path)
        self._ctx = Context(conn=conn, clock=clock, limiter=RateLimiter(rate_limit, clock))
        self._app: FastAPI | None = None

    @property
    def app(self) -> FastAPI:
        """The ASGI (FastAPI) app serving `/api/v1`."""
        if self._app is None:
            self._app = build_app(self._ctx)
        return self._app

    @property
    def context(self) -> Context:
        """The shared state (database, clock, limiter), for tools such as the benchmark."""
        return self._ctx

    def create_user(self, name: str, *, email: str | None = None, phone: str | None = None) -> str:
        """Create a user; return the user id."""
        return people.create_user(self._ctx, name, email, phone)

    def create_group(self, name: str, *, owner_id: str, member_ids: Sequence[str] = ()) -> str:
        """Create a group (the owner is a member); return the group id."""
        try:
            with db.transaction(self._ctx.conn):
                return people.create_group(self._ctx, name, owner_id, tuple(member_ids))
        except ApiError as exc:
            raise _value_error(exc) from exc

    def create_key(self, user_id: str, scopes: Sequence[str]) -> str:
        """Create an API key with the given scopes; return the plaintext `osk_…` key."""
        if isinstance(scopes, str):
            raise TypeError("scopes must be a sequence of scope strings, not one string")
        if not scopes:
            raise ValueError("a key needs at least one scope")
        parsed = [auth.Scope.parse(s) for s in scopes]
        try:
            people.require_user(self._ctx, user_id)
        except ApiError as exc:
            raise _value_error(exc) from exc
        for scope in parsed:
            if scope.trip_id is not None and trips.get_trip(self._ctx, scope.trip_id) is None:
                raise ValueError(f"scope {scope}: trip {scope.trip_id} not found")
        key = new_api_key()
        auth.store_key(self._ctx.conn, key, user_id, parsed, self._ctx.now_ms())
        return key

    def create_trip(
        self,
        *,
        group_id: str,
        title: str,
        start_date: str,
        end_date: str,
        status: str = "active",
        created_by: str | None = None,
    ) -> str:
        """Create a trip (with its `general` channel); return the trip id."""
        for value in (start_date, end_date):
            check_date(value)
        if status not in ("draft", "active", "completed"):
            raise ValueError(f"unknown trip status {status!r}")
        if not title.strip():
            raise ValueError("a trip needs a title")
        try:
            with db.transaction(self._ctx.conn):
                if created_by is not None:
                    people.require_user(self._ctx, created_by)
                trip = trips.create_trip(
                    self._ctx,
                    group_id=group_id,
                    title=title,
                    start_date=start_date,
                    end_date=end_date,
                    status=status,
                    created_by=created_by,
                )
        except ApiError as exc:
            raise _value_error(exc) from exc
        return str(trip["_id"])

    def add_trip_member(self, trip_id: str, user_id: str, role: str = "editor") -> None:
        """Make a user a member of a trip (owner, editor or viewer)."""
        try:
            people.require_user(self._ctx, user_id)
        except ApiError as exc:
            raise _value_error(exc) from exc
        if trips.get_trip(self._ctx, trip_id) is None:
            raise ValueError(f"trip {trip_id} not found")
        trips.add_member(self._ctx, trip_id, user_id, role)

    def create_channel(self, trip_id: str, name: str) -> str:
        """Open a channel on a trip; return the channel id."""
        if trips.get_trip(self._ctx, trip_id) is None:
            raise ValueError(f"trip {trip_id} not found")
        try:
            return str(messaging.create_channel(self._ctx, trip_id, name)["_id"])
        except ApiError as exc:
            raise _value_error(exc) from exc

    def post_message(
        self,
        trip_id: str,
        channel_id: str,
        *,
        author_id: str,
        content: str,
        parent_id: str | None = None,
    ) -> dict[str, Any]:
        """Post a message as a person typing in the Osoto app; return its wire JSON."""
        try:
            body = MessageCreate(content=content, parentId=parent_id)
        except ValidationError as exc:
            details = details_from_pydantic(exc.errors())
            raise ValueError("; ".join(f"{d.path}: {d.reason}" for d in details)) from exc
        try:
            return messaging.post_message(
                self._ctx, trip_id, channel_id, author_id, body.content, body.parentId
            )
        except ApiError as exc:
            raise _value_error(exc) from exc

    def seed_demo(self, *, today: datetime.date | None = None) -> dict[str, Any]:
        """Create the demo world; return its users (with keys), trips and channels."""
        from osoto_bridge.sandbox.demo import seed_demo

        with db.transaction(self._ctx.conn):
            world: dict[str, Any] = seed_demo(self, today or datetime.date.today())
        return world

    def close(self) -> None:
        """Close the database."""
        self._ctx.conn.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

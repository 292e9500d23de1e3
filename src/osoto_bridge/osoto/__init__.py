"""The async Python client of the Osoto API: typed models, errors, retries and pacing.

Start with `OsotoClient` (one API key) or `SharedTripClient` (a share token); see
`docs/osoto-client.md` for a tour.
"""

from osoto_bridge.osoto.client import OsotoClient
from osoto_bridge.osoto.errors import (
    ApiError,
    Forbidden,
    IdempotencyConflict,
    NotFound,
    OsotoError,
    RateLimited,
    ServerError,
    TransportError,
    Unauthorized,
    UnexpectedResponse,
    ValidationError,
)
from osoto_bridge.osoto.key_detection import contains_api_key, redact_api_keys
from osoto_bridge.osoto.key_inspection import KeyReport, LinkError, inspect_key
from osoto_bridge.osoto.keys import key_fingerprint
from osoto_bridge.osoto.limiters import LimiterRegistry
from osoto_bridge.osoto.models import (
    Accommodation,
    ActionItem,
    BatchResult,
    Channel,
    Commitment,
    ErrorDetail,
    Flight,
    Group,
    ItemError,
    ItemResult,
    Leg,
    MapPin,
    Me,
    Member,
    Message,
    Page,
    RentalCar,
    SharedTrip,
    ShareToken,
    Stay,
    SyncCategoryResult,
    SyncResult,
    Trip,
    TripExport,
    User,
    parse_local_datetime,
)
from osoto_bridge.osoto.pacing import LimiterSnapshot, Priority, RateLimiter
from osoto_bridge.osoto.pacing_shared import Reservation, SharedBudget
from osoto_bridge.osoto.projection import SENSITIVE_FIELDS, safe_projection
from osoto_bridge.osoto.retry import RetryPolicy
from osoto_bridge.osoto.scopes import Scopes
from osoto_bridge.osoto.session import ClientState
from osoto_bridge.osoto.shared import SharedTripClient
from osoto_bridge.osoto.transport import AiohttpTransport, DirectClient
from osoto_bridge.osoto.trip_finder import KnownTrip, find_trip

__all__ = [
    "SENSITIVE_FIELDS",
    "Accommodation",
    "ActionItem",
    "AiohttpTransport",
    "ApiError",
    "BatchResult",
    "Channel",
    "ClientState",
    "Commitment",
    "DirectClient",
    "ErrorDetail",
    "Flight",
    "Forbidden",
    "Group",
    "IdempotencyConflict",
    "ItemError",
    "ItemResult",
    "KeyReport",
    "KnownTrip",
    "Leg",
    "LimiterRegistry",
    "LimiterSnapshot",
    "LinkError",
    "MapPin",
    "Me",
    "Member",
    "Message",
    "NotFound",
    "OsotoClient",
    "OsotoError",
    "Page",
    "Priority",
    "RateLimited",
    "RateLimiter",
    "RentalCar",
    "Reservation",
    "RetryPolicy",
    "Scopes",
    "ServerError",
    "ShareToken",
    "SharedBudget",
    "SharedTrip",
    "SharedTripClient",
    "Stay",
    "SyncCategoryResult",
    "SyncResult",
    "TransportError",
    "Trip",
    "TripExport",
    "Unauthorized",
    "UnexpectedResponse",
    "User",
    "ValidationError",
    "contains_api_key",
    "find_trip",
    "inspect_key",
    "key_fingerprint",
    "parse_local_datetime",
    "redact_api_keys",
    "safe_projection",
]

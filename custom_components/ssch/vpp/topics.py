"""Where community messages go on the broker, and the hub's settings for its community link.

``<prefix>/<community>/member/<member>/availability|envelope|state|commitment`` are a member's;
``.../member/<member>/request`` and ``.../member/<member>/signal`` are addressed to it, ``<prefix>/
<community>/request`` and ``.../signal`` to every member; ``.../aggregator/request`` takes a grid
operator's community-level request. Member ids are pseudonyms (a hash), never names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import hashlib
import re
from typing import Any

DEFAULT_PREFIX = "ssch/community"
DEFAULT_AGGREGATOR_ID = "aggregator"
DEFAULT_INTERVAL_S = 60.0
# A member whose last envelope is older than this many publish intervals is taken as offline: Home
# Assistant's MQTT client has one last will for the whole instance, so a crashed hub says nothing.
STALE_INTERVALS = 3.0

_SEGMENT = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_PREFIX = re.compile(r"^[A-Za-z0-9_.-]{1,64}(/[A-Za-z0-9_.-]{1,64}){0,4}$")


def segment_is_valid(value: str) -> bool:
    """One topic level: no wildcard, no slash, not empty."""
    return bool(_SEGMENT.match(value))


def prefix_is_valid(value: str) -> bool:
    """A few topic levels without wildcards or empty levels."""
    return bool(_PREFIX.match(value))


def member_id_for(community: str, hub_unique_id: str) -> str:
    """A stable pseudonym for a hub in a community: nothing on the broker names the site."""
    return hashlib.sha256(f"{community}:{hub_unique_id}".encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Topics:
    """The topic names of one community."""

    prefix: str
    community: str

    @property
    def base(self) -> str:
        """``<prefix>/<community>``."""
        return f"{self.prefix}/{self.community}"

    def member(self, member_id: str, leaf: str) -> str:
        """A member's own topic (``availability``, ``envelope``, ``state``, ``commitment``, ``request``)."""
        return f"{self.base}/member/{member_id}/{leaf}"

    def all_members(self, leaf: str) -> str:
        """A subscription to one leaf of every member."""
        return f"{self.base}/member/+/{leaf}"

    def everyone(self, leaf: str) -> str:
        """A topic addressed to every member (``request``, ``signal``)."""
        return f"{self.base}/{leaf}"

    @property
    def aggregator_requests(self) -> str:
        """Where a grid operator asks the community for flexibility."""
        return f"{self.base}/aggregator/request"

    def member_of(self, topic: str) -> tuple[str, str] | None:
        """(member id, leaf) of a member topic, None for any other topic."""
        head = f"{self.base}/member/"
        if not topic.startswith(head):
            return None
        parts = topic[len(head) :].split("/")
        return (parts[0], parts[1]) if len(parts) == 2 else None


@dataclass(frozen=True, slots=True)
class CommunitySettings:
    """A hub's opt-in to a community (the ``community`` options of its config entry)."""

    community_id: str
    topic_prefix: str
    key: bytes
    member_id: str
    aggregator_id: str = DEFAULT_AGGREGATOR_ID
    price_floor_eur_per_kwh: float = 0.0
    max_kw: float = 0.0
    interval_s: float = DEFAULT_INTERVAL_S
    run_aggregator: bool = False

    @property
    def topics(self) -> Topics:
        """The community's topics."""
        return Topics(self.topic_prefix, self.community_id)

    @classmethod
    def from_options(cls, options: Mapping[str, Any], hub_unique_id: str) -> CommunitySettings | None:
        """The settings, or None when the hub has not joined a community."""
        community = options.get("community")
        if not isinstance(community, Mapping) or not community.get("enabled"):
            return None
        community_id = str(community["community_id"])
        return cls(
            community_id=community_id,
            topic_prefix=str(community.get("topic_prefix", DEFAULT_PREFIX)),
            key=str(community["community_key"]).encode(),
            member_id=member_id_for(community_id, hub_unique_id),
            aggregator_id=str(community.get("aggregator_id", DEFAULT_AGGREGATOR_ID)),
            price_floor_eur_per_kwh=float(community.get("price_floor", 0.0)),
            max_kw=float(community.get("max_kw", 0.0)),
            run_aggregator=bool(community.get("run_aggregator", False)),
        )

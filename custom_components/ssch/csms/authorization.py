"""Which charging cards (idTokens) the hub accepts: its own list and a policy for the others."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# Tokens that identify no person: the station authorised locally or needs no authorisation.
_ANONYMOUS_TYPES = frozenset({"NoAuthorization", "Central"})
MAX_TOKEN_LENGTH = 255  # OCPP 2.1 IdTokenType.idToken


class AuthorizationPolicy(StrEnum):
    """What happens to a card that is not in the hub's list."""

    ACCEPT_ALL = "accept_all"  # every card charges (a household's own wallbox)
    ACCEPT_KNOWN = "accept_known"  # unknown cards get "Unknown": the station's own rules decide
    REFUSE_UNKNOWN = "refuse_unknown"  # unknown cards get "Invalid": they do not charge


@dataclass(frozen=True, slots=True)
class KnownToken:
    """One card in the hub's list."""

    id_token: str
    name: str = ""
    vehicle: str | None = None  # the car that usually charges with this card
    blocked: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id_token": self.id_token,
            "name": self.name,
            "vehicle": self.vehicle,
            "blocked": self.blocked,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KnownToken:
        """Rebuild from :meth:`to_dict`."""
        return cls(
            str(data["id_token"])[:MAX_TOKEN_LENGTH],
            str(data.get("name") or ""),
            str(data["vehicle"]) if data.get("vehicle") else None,
            bool(data.get("blocked", False)),
        )


class TokenAuthority:
    """Answers an idToken with an OCPP authorisation status."""

    def __init__(
        self, policy: AuthorizationPolicy = AuthorizationPolicy.ACCEPT_ALL, tokens: Iterable[KnownToken] = ()
    ) -> None:
        self.policy = policy
        self._tokens = {token.id_token: token for token in tokens}

    @property
    def tokens(self) -> list[KnownToken]:
        """The hub's list, in the order the cards were added."""
        return list(self._tokens.values())

    def replace(self, tokens: Iterable[KnownToken]) -> None:
        """Swap in a whole list (loaded from storage)."""
        self._tokens = {token.id_token: token for token in tokens}

    def known(self, id_token: str) -> KnownToken | None:
        """The list's entry of a card, if it has one."""
        return self._tokens.get(id_token)

    def put(self, token: KnownToken) -> None:
        """Add a card or change its entry."""
        self._tokens[token.id_token] = token

    def remove(self, id_token: str) -> bool:
        """Take a card off the list; returns whether it was there."""
        return self._tokens.pop(id_token, None) is not None

    def status(self, id_token: Mapping[str, Any] | None) -> str:
        """``Accepted``, ``Blocked``, ``Unknown`` or ``Invalid`` for an OCPP IdTokenType."""
        if not id_token or id_token.get("type") in _ANONYMOUS_TYPES:
            return "Accepted"
        known = self._tokens.get(str(id_token.get("idToken", "")))
        if known is not None:
            return "Blocked" if known.blocked else "Accepted"
        if self.policy is AuthorizationPolicy.ACCEPT_ALL:
            return "Accepted"
        return "Unknown" if self.policy is AuthorizationPolicy.ACCEPT_KNOWN else "Invalid"

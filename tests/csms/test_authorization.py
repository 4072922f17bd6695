"""Charging cards: the hub's list, the policy for cards not on it, and every presented card reported once."""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.ssch.csms.authorization import AuthorizationPolicy, KnownToken, TokenAuthority
from custom_components.ssch.csms.events import TokenPresented

from .conftest import HubFactory, connect_raw, exchange


def card(value: str, token_type: str = "ISO14443") -> dict[str, str]:
    return {"idToken": value, "type": token_type}


def started(tx_id: str, token: dict[str, str]) -> dict[str, object]:
    return {
        "eventType": "Started",
        "timestamp": "2026-06-01T12:00:00Z",
        "triggerReason": "Authorized",
        "seqNo": 0,
        "transactionInfo": {"transactionId": tx_id},
        "evse": {"id": 1, "connectorId": 1},
        "idToken": token,
    }


@pytest.mark.parametrize(
    ("policy", "unknown_status"),
    [
        (AuthorizationPolicy.ACCEPT_ALL, "Accepted"),
        (AuthorizationPolicy.ACCEPT_KNOWN, "Unknown"),
        (AuthorizationPolicy.REFUSE_UNKNOWN, "Invalid"),
    ],
)
async def test_cards_are_answered_from_the_list_and_the_policy(
    make_hub: HubFactory, http: aiohttp.ClientSession, policy: AuthorizationPolicy, unknown_status: str
) -> None:
    authority = TokenAuthority(policy, [KnownToken("family", "Family car"), KnownToken("lost", blocked=True)])
    hub = await make_hub(authority=authority)
    ws = await connect_raw(http, hub, "CS21")

    async def status(value: str, token_type: str = "ISO14443") -> str:
        answer = await exchange(ws, [2, f"m-{value}", "Authorize", {"idToken": card(value, token_type)}])
        return str(answer[2]["idTokenInfo"]["status"])

    assert await status("family") == "Accepted"
    assert await status("lost") == "Blocked"
    assert await status("stranger") == unknown_status
    assert await status("", "NoAuthorization") == "Accepted"
    # bidirectional transfer is offered only with an accepted card
    accepted = await exchange(ws, [2, "a2", "Authorize", {"idToken": card("family2")}])
    assert ("allowedEnergyTransfer" in accepted[2]) is (unknown_status == "Accepted")
    # the card of a started transaction gets the same answer
    answer = await exchange(ws, [2, "s", "TransactionEvent", started("tx", card("stranger"))])
    assert answer[2]["idTokenInfo"]["status"] == unknown_status
    await ws.close()


async def test_each_presented_card_is_reported_once(
    make_hub: HubFactory, http: aiohttp.ClientSession
) -> None:
    hub = await make_hub()
    ws = await connect_raw(http, hub, "CS21")
    await exchange(ws, [2, "a", "Authorize", {"idToken": card("family")}])
    await exchange(ws, [2, "s", "TransactionEvent", started("tx", card("family"))])
    await exchange(ws, [2, "n", "Authorize", {"idToken": card("", "NoAuthorization")}])
    await exchange(ws, [2, "b", "Authorize", {"idToken": card("guest")}])
    presented = hub.of_type(TokenPresented)
    assert [(event.id_token, event.evse_id, event.status) for event in presented] == [
        ("family", None, "Accepted"),
        ("guest", None, "Accepted"),
    ]
    await ws.close()


def test_the_list_is_edited_and_kept_in_order() -> None:
    authority = TokenAuthority(AuthorizationPolicy.REFUSE_UNKNOWN)
    authority.put(KnownToken("b", "Bea"))
    authority.put(KnownToken("a", "Anna", vehicle="zoe"))
    authority.put(KnownToken("b", "Bea", blocked=True))
    assert [token.id_token for token in authority.tokens] == ["b", "a"]
    assert authority.status(card("b")) == "Blocked"
    assert authority.remove("b")
    assert not authority.remove("b")
    assert authority.status(card("b")) == "Invalid"
    again = KnownToken.from_dict(KnownToken("a", "Anna", vehicle="zoe").to_dict())
    assert again == authority.known("a")

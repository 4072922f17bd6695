"""Every message the code sends matches the schema published in docs/schemas/."""

from __future__ import annotations

import json
from pathlib import Path
import time
from typing import Any

import pytest

from custom_components.ssch.vpp.messages import (
    Answer,
    Commitment,
    CommunityRequest,
    Delivery,
    Direction,
    Envelope,
    Request,
    Signal,
    State,
    availability_body,
)
from custom_components.ssch.vpp.protocol import Kind, seal

jsonschema = pytest.importorskip("jsonschema")
SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"
NOW = time.time()
KEY = b"0123456789abcdef-key"


def _bodies() -> dict[Kind, list[dict[str, Any]]]:
    return {
        Kind.AVAILABILITY: [
            availability_body("c", "m1", NOW, online=True, interval_s=60.0),
            availability_body("c", "m1", NOW, online=False, interval_s=60.0),
        ],
        Kind.ENVELOPE: [Envelope(NOW, 900.0, (1.0, 2.0), (0.5, 0.0), (0.1, 0.1), seq=3).body("c", "m1", NOW)],
        Kind.STATE: [
            State(1.0, 0.0, 2.5, 0.4, (Delivery("r1", 1.0, 2.5, 0.4),), {"peak_import_kw": 30.0}).body(
                "c", "m1", NOW
            )
        ],
        Kind.REQUEST: [
            Request("r1", "*", Direction.UP, 2.0, NOW, NOW + 900, 0.2, NOW + 60).body("c", "agg", NOW)
        ],
        Kind.COMMITMENT: [
            Commitment("r1", 2.0, Answer.COMMITTED, NOW, NOW + 900, "c1").body("c", "m1", NOW),
            Commitment("r1", 0.0, Answer.PRICE_BELOW_FLOOR, NOW, NOW + 900).body("c", "m1", NOW),
        ],
        Kind.SIGNAL: [
            Signal("s1", "m1", NOW, None, 5.0, None, NOW + 60).body("c", "agg", NOW),
            Signal("s2", "*", NOW, NOW + 60, None, 3.0, NOW + 60, clear=True).body("c", "agg", NOW),
        ],
        Kind.COMMUNITY_REQUEST: [
            CommunityRequest("g1", Direction.DOWN, 40.0, NOW, NOW + 900, 0.3, NOW + 60).body("c", "dso", NOW)
        ],
    }


@pytest.mark.parametrize("kind", list(Kind))
def test_messages_match_their_published_schema(kind: Kind) -> None:
    schema = json.loads((SCHEMAS / f"{kind.value}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    for body in _bodies()[kind]:
        jsonschema.validate(json.loads(seal(body, KEY)), schema)
    # An unknown field or a missing signature is outside the schema.
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(json.loads(seal(_bodies()[kind][0], KEY)) | {"name": "x"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_bodies()[kind][0], schema)

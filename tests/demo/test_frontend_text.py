"""Home Assistant's frontend formats translations as ICU messages: text in angle brackets is a tag.

The demo's screenshot of the config flow showed "Translation error: INVALID_TAG" under a field whose
description read ``ws://<address>:<port>``.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
import re

from demo.settings import ROOT

TAG = re.compile(r"<[^>]*>")


def _strings(node: object, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, f"{path}.{key}" if path else key)
    elif isinstance(node, str):
        yield path, node


def test_no_translation_holds_an_html_like_tag() -> None:
    translations = Path(ROOT / "custom_components" / "ssch" / "translations")
    tagged = [
        f"{file.name}: {path}"
        for file in sorted(translations.glob("*.json"))
        for path, text in _strings(json.loads(file.read_text()))
        if TAG.search(text)
    ]
    assert tagged == []

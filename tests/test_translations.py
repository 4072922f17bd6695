"""Every language speaks of the same things: the same keys as English, the same placeholders, no blanks."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

import pytest

TRANSLATIONS = Path(__file__).resolve().parent.parent / "custom_components" / "ssch" / "translations"
LANGUAGES = ("nl", "de", "da")
PLACEHOLDER = re.compile(r"\{[a-z_0-9]+\}")


def _strings(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            flat |= _strings(value, path)
        else:
            flat[path] = value
    return flat


ENGLISH = _strings(json.loads((TRANSLATIONS / "en.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_has_every_string_of_english(language: str) -> None:
    translated = _strings(json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8")))
    assert sorted(set(ENGLISH) - set(translated)) == []
    assert sorted(set(translated) - set(ENGLISH)) == []
    assert [path for path, text in translated.items() if not str(text).strip()] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_kept(language: str) -> None:
    translated = _strings(json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8")))
    differing = {
        path: (sorted(set(PLACEHOLDER.findall(english))), sorted(set(PLACEHOLDER.findall(translated[path]))))
        for path, english in ENGLISH.items()
        if set(PLACEHOLDER.findall(english)) != set(PLACEHOLDER.findall(translated[path]))
    }
    assert differing == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_most_strings_are_translated(language: str) -> None:
    """Names and technical terms may stay as they are; sentences may not."""
    translated = _strings(json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8")))
    sentences = [path for path, english in ENGLISH.items() if len(english.split()) >= 6]
    unchanged = [path for path in sentences if translated[path] == ENGLISH[path]]
    assert unchanged == []

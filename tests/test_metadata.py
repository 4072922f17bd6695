"""Offline checks of what hassfest and HACS validate: manifest, hacs.json, translations, icons, services."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from importlib.metadata import version
import json
from pathlib import Path
import struct
import sys
from typing import Any

from awesomeversion import AwesomeVersion
from packaging.requirements import Requirement
import pytest
import yaml

from custom_components.ssch import config_flow, subentry_flows
from custom_components.ssch.csms.authorization import AuthorizationPolicy, TokenAuthority
from custom_components.ssch.stations.charging_cards import cards_form_schema
from custom_components.ssch.validation import Measure
from custom_components.ssch.vpp.community_options import community_schema

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "custom_components" / "ssch"
EN = json.loads((PACKAGE / "translations" / "en.json").read_text())
SUBENTRY_FLOWS = config_flow.SschConfigFlow.async_get_supported_subentry_types(None)  # type: ignore[arg-type]


def _python_files() -> Iterator[Path]:
    yield from (p for p in PACKAGE.glob("*.py"))


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    yield from (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def _keyword_strings(name: str) -> set[str]:
    found: set[str] = set()
    for path in _python_files():
        for call in _calls(ast.parse(path.read_text())):
            for kw in call.keywords:
                if kw.arg == name and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    found.add(kw.value.value)
    return found


def _error_keys() -> set[str]:
    """String values stored into an ``errors`` mapping, returned as error keys, or built from measures."""
    keys: set[str] = {f"wrong_unit_{m.value}" for m in Measure}
    for path in _python_files():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
                target = node.targets[0].value
                if (
                    isinstance(target, ast.Name)
                    and target.id == "errors"
                    and isinstance(node.value, ast.Constant)
                ):
                    keys.add(node.value.value)
            if isinstance(node, ast.FunctionDef) and ("error" in node.name):
                for inner in ast.walk(node):
                    if (
                        isinstance(inner, ast.Return)
                        and isinstance(inner.value, ast.Constant)
                        and isinstance(inner.value.value, str)
                    ):
                        keys.add(inner.value.value)
                    if isinstance(inner, ast.Dict):
                        keys.update(v.value for v in inner.values if isinstance(v, ast.Constant))
    return keys


def test_manifest_keys_order_and_values() -> None:
    """domain and name first, the rest sorted, nothing unknown, a valid version, installable requirements."""
    manifest = json.loads((PACKAGE / "manifest.json").read_text())
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    allowed = {
        "domain", "name", "codeowners", "config_flow", "dependencies", "documentation", "integration_type",
        "iot_class", "issue_tracker", "loggers", "requirements", "version", "after_dependencies",
    }  # fmt: skip
    assert set(keys) <= allowed
    assert {"domain", "name", "codeowners", "documentation", "issue_tracker", "version"} <= set(keys)
    assert manifest["domain"] == "ssch" == PACKAGE.name
    assert manifest["name"] == "Super Smart Charging Hub"
    assert manifest["config_flow"] is True
    assert manifest["integration_type"] == "hub"
    assert manifest["iot_class"] == "local_push"
    assert AwesomeVersion(manifest["version"]).valid
    assert all(c.startswith("@") for c in manifest["codeowners"])
    # cvxpy and osqp have no musllinux wheels: requiring them would stop the integration loading on HA OS.
    names = {Requirement(r).name.lower() for r in manifest["requirements"]}
    assert not names & {"cvxpy", "cvxpy-base", "osqp", "clarabel", "ecos", "qdldl"}
    # The built-in engine's packages are installed with the integration; numpy comes with Home Assistant.
    assert {"piqp", "scipy"} <= names
    assert "numpy" not in names


def test_check_wheels_names_the_missing_pair() -> None:
    """The registry is asked for real: cvxpy-base has no wheel for Alpine on a Raspberry Pi."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from check_wheels import Check, run
    finally:
        sys.path.pop(0)
    problem = run(Check("cvxpy-base==1.9.3", "3.13", "musllinux_1_2_aarch64"))
    assert problem == "no wheel: cvxpy-base==1.9.3 for CPython 3.13 on musllinux_1_2_aarch64"
    assert run(Check("piqp==0.7.0", "3.14", "musllinux_1_2_aarch64")) is None


def test_hacs_json() -> None:
    """HACS needs a name and the minimum Home Assistant version."""
    hacs = json.loads((ROOT / "hacs.json").read_text())
    assert set(hacs) <= {
        "name",
        "homeassistant",
        "render_readme",
        "content_in_root",
        "zip_release",
        "filename",
    }
    assert hacs["name"] == "Super Smart Charging Hub"
    # The oldest release the test suite runs on (pytest-homeassistant-custom-component's pin).
    assert AwesomeVersion(hacs["homeassistant"]) == AwesomeVersion(version("homeassistant"))


def test_brand_icon_is_a_square_png() -> None:
    """HACS and the frontend show brand/icon.png (256 px) and icon@2x.png (512 px)."""
    for name, size in (("icon.png", 256), ("icon@2x.png", 512)):
        data = (PACKAGE / "brand" / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", data[16:24]) == (size, size)


def test_error_keys_are_translated() -> None:
    """Every error key the flows can show has a text in every place it can appear."""
    flow_errors = set(EN["config"]["error"]) | set(EN["options"]["error"])
    for sub in EN["config_subentries"].values():
        flow_errors |= set(sub["error"])
    missing = _error_keys() - flow_errors - {"translation_key"}
    assert not missing


def test_abort_reasons_are_translated() -> None:
    """Every abort reason in the code is translated for the flow that uses it."""
    reasons = _keyword_strings("reason")
    known = set(EN["config"]["abort"])
    for sub in EN["config_subentries"].values():
        known |= set(sub["abort"])
    for issue in EN["issues"].values():
        known |= set(issue.get("fix_flow", {}).get("abort", {}))
    assert reasons <= known


def test_translation_keys_exist() -> None:
    """Entity, issue and exception translation keys used in code are all in en.json."""
    known: set[str] = set(EN.get("issues", {})) | set(EN.get("exceptions", {})) | set(EN.get("selector", {}))
    for platform in EN["entity"].values():
        known |= set(platform)
    assert _keyword_strings("translation_key") <= known


def _schema_keys(schema: Any) -> set[str]:
    return {str(key) for key in schema.schema}


@pytest.mark.parametrize("subentry_type", sorted(SUBENTRY_FLOWS))
def test_subentry_forms_are_translated(subentry_type: str) -> None:
    """Every field of every subentry form has a label and a description; both flows are named."""
    texts = EN["config_subentries"][subentry_type]
    assert set(texts["initiate_flow"]) == {"user", "reconfigure"}
    flow = SUBENTRY_FLOWS[subentry_type]()
    for step in ("user", "reconfigure"):
        fields = _schema_keys(flow.schema(reconfigure=step == "reconfigure"))
        assert set(texts["step"][step]["data"]) == fields
        assert set(texts["step"][step]["data_description"]) == fields


def test_hub_forms_are_translated() -> None:
    """The hub's user, planning, reconfigure and options forms have a label for every field."""
    site = _schema_keys(config_flow._site_schema(include_name=True))
    planning = _schema_keys(config_flow._planning_schema())
    steps, options = EN["config"]["step"], EN["options"]["step"]
    assert set(steps["user"]["data"]) == site == set(steps["reconfigure"]["data"])
    assert set(steps["planning"]["data"]) == planning == set(options["planning"]["data"])
    assert set(options["init"]["menu_options"]) == {"planning", "cards", "community"}
    assert set(options["community"]["data"]) == _schema_keys(community_schema())
    cards = _schema_keys(cards_form_schema(TokenAuthority()))
    assert set(options["cards"]["data"]) == cards
    assert set(EN["selector"]["authorization_policy"]["options"]) == {p.value for p in AuthorizationPolicy}
    assert set(EN["selector"]["step_minutes"]["options"]) == {
        str(m) for m in config_flow.STEP_MINUTES_CHOICES
    }


def test_icons_match_entities() -> None:
    """icons.json names only translated entities, with plain default icons."""
    icons = json.loads((PACKAGE / "icons.json").read_text())
    for platform, entities in icons["entity"].items():
        assert set(entities) <= set(EN["entity"][platform])
        for icon in entities.values():
            assert icon["default"].startswith("mdi:")
            assert set(icon) <= {"default", "state"}
    for platform, entities in EN["entity"].items():
        assert set(entities) == set(icons["entity"].get(platform, {})), platform
    services_file = PACKAGE / "services.yaml"
    if services_file.exists():
        assert set(icons.get("services", {})) == set(yaml.safe_load(services_file.read_text()) or {})


def test_services_yaml_loads_and_is_translated() -> None:
    """services.yaml parses, and each service and field has a translated name and description."""
    services_file = PACKAGE / "services.yaml"
    services = yaml.safe_load(services_file.read_text()) if services_file.exists() else {}
    for service, spec in (services or {}).items():
        text = EN["services"][service]
        assert text["name"]
        assert text["description"]
        assert set((spec or {}).get("fields", {})) == set(text.get("fields", {}))


def test_subentry_flow_module_is_the_one_registered() -> None:
    """The subentry types offered are exactly the asset flows."""
    assert set(SUBENTRY_FLOWS) == {"charger", "pv", "battery", "building", "grid_meter", "vehicle"}
    assert all(issubclass(flow, subentry_flows.AssetSubentryFlow) for flow in SUBENTRY_FLOWS.values())

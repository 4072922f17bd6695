"""quality_scale.yaml names every rule, and each rule marked done passes the check hassfest makes for it.

The checks follow Home Assistant's ``script/hassfest/quality_scale_validation`` (not installable), read
from the source as hassfest reads it, plus the documentation the docs rules ask for.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "custom_components" / "ssch"
RULES = yaml.safe_load((PACKAGE / "quality_scale.yaml").read_text())["rules"]
EN = json.loads((PACKAGE / "translations" / "en.json").read_text())
README = (ROOT / "README.md").read_text()
PLATFORMS = (
    "binary_sensor",
    "button",
    "calendar",
    "datetime",
    "event",
    "number",
    "select",
    "sensor",
    "switch",
)
# Every rule of the quality scale (developers.home-assistant.io, 2026): bronze, silver, gold, platinum.
ALL_RULES = {
    "action-setup", "appropriate-polling", "brands", "common-modules", "config-flow",
    "config-flow-test-coverage", "dependency-transparency", "docs-actions", "docs-conditions",
    "docs-high-level-description", "docs-installation-instructions", "docs-removal-instructions",
    "docs-triggers", "entity-event-setup", "entity-unique-id", "has-entity-name", "runtime-data",
    "test-before-configure", "test-before-setup", "unique-config-entry",
    "action-exceptions", "config-entry-unloading", "docs-configuration-parameters",
    "docs-installation-parameters", "entity-unavailable", "integration-owner", "log-when-unavailable",
    "parallel-updates", "reauthentication-flow", "test-coverage",
    "devices", "diagnostics", "discovery", "discovery-update-info", "docs-data-update", "docs-examples",
    "docs-known-limitations", "docs-supported-devices", "docs-supported-functions", "docs-troubleshooting",
    "docs-use-cases", "dynamic-devices", "entity-category", "entity-device-class",
    "entity-disabled-by-default", "entity-translations", "exception-translations", "icon-translations",
    "reconfiguration-flow", "repair-issues", "stale-devices",
    "async-dependency", "inject-websession", "strict-typing",
}  # fmt: skip
DOCS = {
    "docs-configuration-parameters": "docs/configuration.md",
    "docs-installation-parameters": "docs/configuration.md",
    "docs-known-limitations": "docs/known-limitations.md",
    "docs-removal-instructions": "docs/removal.md",
    "docs-supported-devices": "docs/supported-devices.md",
    "docs-troubleshooting": "docs/troubleshooting.md",
}


def _status(rule: str) -> str:
    value = RULES[rule]
    return value if isinstance(value, str) else str(value["status"])


def _done(rule: str) -> bool:
    return _status(rule) == "done"


def _module(name: str) -> ast.Module:
    return ast.parse((PACKAGE / f"{name}.py").read_text())


def _function(module: ast.Module, name: str) -> ast.AsyncFunctionDef | ast.FunctionDef | None:
    return next(
        (
            node
            for node in module.body
            if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef) and node.name == name
        ),
        None,
    )


def _calls(tree: ast.AST, name: str) -> bool:
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name
        for node in ast.walk(tree)
    )


def _typed_entry(function: ast.AsyncFunctionDef | ast.FunctionDef | None, position: int) -> bool:
    if function is None:
        return True
    annotation = function.args.args[position - 1].annotation
    return isinstance(annotation, ast.Name) and bool(re.fullmatch("[A-Za-z]+ConfigEntry", annotation.id))


def test_every_rule_has_a_status_and_a_reason_where_not_done() -> None:
    assert set(RULES) == ALL_RULES
    for rule, value in RULES.items():
        if isinstance(value, dict):
            assert value["status"] in {"done", "exempt", "todo"}, rule
            assert value["status"] == "done" or value.get("comment"), rule
        else:
            assert value == "done", f"{rule}: exempt and todo need a comment"


def test_entry_points_are_in_init() -> None:
    """config-entry-unloading and runtime-data: hassfest reads both from __init__.py."""
    init = _module("__init__")
    unload = _function(init, "async_unload_entry")
    assert isinstance(unload, ast.AsyncFunctionDef) or not _done("config-entry-unloading")
    setup = _function(init, "async_setup_entry")
    assert isinstance(setup, ast.AsyncFunctionDef)
    entry = setup.args.args[1].arg
    assigns_runtime_data = any(
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == entry
        and node.attr == "runtime_data"
        and isinstance(node.ctx, ast.Store)
        for node in ast.walk(setup)
    )
    assert assigns_runtime_data or not _done("runtime-data")


def test_config_entries_are_typed() -> None:
    """strict-typing: every entry-point function takes the integration's typed config entry."""
    if not _done("strict-typing"):
        pytest.skip("strict-typing is not done")
    init = _module("__init__")
    for name in (
        "async_migrate_entry",
        "async_remove_config_entry_device",
        "async_remove_entry",
        "async_setup_entry",
        "async_unload_entry",
    ):
        assert _typed_entry(_function(init, name), 2), name
    diagnostics = _module("diagnostics")
    assert _typed_entry(_function(diagnostics, "async_get_config_entry_diagnostics"), 2)
    for platform in PLATFORMS:
        assert _typed_entry(_function(_module(platform), "async_setup_entry"), 2), platform
    for node in _module("config_flow").body:
        if isinstance(node, ast.ClassDef):
            options = _function(ast.Module(body=node.body, type_ignores=[]), "async_get_options_flow")
            assert _typed_entry(options, 1), node.name


@pytest.mark.parametrize("platform", PLATFORMS)
def test_parallel_updates(platform: str) -> None:
    assigned = {
        target.id
        for node in _module(platform).body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert "PARALLEL_UPDATES" in assigned or not _done("parallel-updates")


def test_config_flow_rules() -> None:
    """unique-config-entry, reconfiguration-flow and discovery, as hassfest finds them in config_flow.py."""
    flow = _module("config_flow")
    steps = {node.name for node in ast.walk(flow) if isinstance(node, ast.AsyncFunctionDef)}
    assert _calls(flow, "async_set_unique_id")
    assert _calls(flow, "_abort_if_unique_id_configured")
    assert "async_step_reconfigure" in steps
    assert "async_step_integration_discovery" in steps


def test_test_before_setup_and_action_setup() -> None:
    raised = {
        node.exc.func.id
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Raise)
        and isinstance(node.exc, ast.Call)
        and isinstance(node.exc.func, ast.Name)
    }
    assert raised & {"ConfigEntryNotReady", "ConfigEntryError", "ConfigEntryAuthFailed"}
    hub_setup = _function(_module("hub"), "async_setup")
    assert hub_setup is not None
    called = {
        node.func.id
        for node in ast.walk(hub_setup)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert "async_setup_services" in called


def test_every_config_flow_field_is_described() -> None:
    """config-flow: each field of the hub's own forms has a data_description."""
    for step_id, step in EN["config"]["step"].items():
        assert set(step.get("data", {})) == set(step.get("data_description", {})), step_id


@pytest.mark.parametrize("rule", sorted(DOCS))
def test_documentation_pages(rule: str) -> None:
    page = DOCS[rule]
    assert (ROOT / page).is_file()
    assert f"]({page})" in README


def test_configuration_page_names_every_field() -> None:
    """docs-configuration-parameters: every field of every form is on the configuration page."""
    page = (ROOT / "docs" / "configuration.md").read_text()
    labels = set()
    for step in [*EN["config"]["step"].values(), *EN["options"]["step"].values()]:
        labels |= set(step.get("data", {}).values())
    for subentry in EN["config_subentries"].values():
        for step in subentry["step"].values():
            labels |= set(step["data"].values())
    assert {label for label in labels if f"| {label} |" not in page} == set()


def test_troubleshooting_explains_logs_and_diagnostics() -> None:
    page = (ROOT / "docs" / "troubleshooting.md").read_text()
    assert "custom_components.ssch: debug" in page
    assert "Download diagnostics" in page

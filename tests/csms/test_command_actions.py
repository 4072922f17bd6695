"""Every action the hub sends is in ``COMMAND_ACTIONS`` (whose schemas the server loads up front), and
every entry there is sent by some command."""

from __future__ import annotations

import ast
from pathlib import Path

from custom_components.ssch.csms.commands import COMMAND_ACTIONS

CSMS = Path(__file__).parents[2] / "custom_components" / "ssch" / "csms"
# Calls whose first argument names the action of an outgoing CALL.
_SENDERS = {"Request", "call", "call_soon", "_call_accepted", "_require"}


def _sent_actions() -> set[str]:
    actions: set[str] = set()
    for module in CSMS.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            first = node.args[0]
            if name in _SENDERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                actions.add(first.value)
    return actions


def test_command_actions_are_exactly_the_actions_sent() -> None:
    sent = _sent_actions()
    assert sent - set(COMMAND_ACTIONS) == set(), "sent but not preloaded"
    assert set(COMMAND_ACTIONS) - sent == set(), "listed but never sent"
    assert len(COMMAND_ACTIONS) == len(set(COMMAND_ACTIONS))

"""Test configuration shared by every test folder.

The Home Assistant test plugin loads itself for every test (it blocks non-loopback sockets); tests that
run inside Home Assistant live in ``integration/`` and ``e2e/`` with their own fixtures.
"""

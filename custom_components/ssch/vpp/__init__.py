"""The virtual power plant: the in-HA VPP device, the energy community's MQTT link and its aggregator.

This package file imports nothing, so ``python -m custom_components.ssch.vpp`` (the standalone
aggregator) runs without Home Assistant. The Home Assistant parts are ``device``, ``ems_port``, ``link``
and the ``community_*`` modules; the protocol, the aggregator and the command line are HA-free (listed in
``tests/test_import_boundary.py``).
"""

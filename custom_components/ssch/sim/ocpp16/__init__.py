"""OCPP 1.6J firmware of a simulated station: integer transactions, configuration keys, limits in A."""

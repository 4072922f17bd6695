"""OCPP 2.1 and 2.0.1 firmware of a simulated station: TransactionEvent, device model, V2X profiles."""

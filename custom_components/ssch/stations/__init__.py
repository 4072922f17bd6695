"""The link between Home Assistant and the OCPP server: events, commands, devices, adoption."""

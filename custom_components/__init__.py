"""Super Smart Charging Hub: custom integration package root."""

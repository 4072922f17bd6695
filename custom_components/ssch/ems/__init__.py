"""The hub's energy management in Home Assistant: the coordinator, its inputs, store and actions."""

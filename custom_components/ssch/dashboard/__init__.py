"""The plan card and the hub's dashboard: registration, layout and the data they read."""

"""csms package."""

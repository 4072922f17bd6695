"""Shared cars and their bookings: the calendar's model, the manager and its actions."""

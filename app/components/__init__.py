"""Reusable pieces of the dashboard: plot panels with their export menu, the share dialog, the
URL-state store, empty states and small layout helpers."""

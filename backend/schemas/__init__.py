"""Pydantic In/Out models shared by the API and the UI, one module per domain."""

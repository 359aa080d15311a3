"""Integrations: organisation tokens acting as bot members, and signed webhooks fed from the event log."""

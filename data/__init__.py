"""Persistence: the ORM model, database wiring, migrations and the demo generator."""

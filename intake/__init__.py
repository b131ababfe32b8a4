"""Witness intake: the questionnaire engine, encrypted store, outbox, offline tools and the CLI."""

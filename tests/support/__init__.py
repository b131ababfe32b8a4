"""Helpers shared by the tests and ``bench/``: the simulated witness and its channel adapters, the
fake Bot API, sealing and submission builders, the CLI runner, a settable clock, data paths."""

"""Where the repository and the test data are, for tests that read files by path."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
QUESTIONNAIRES = DATA / "questionnaires"
SAMPLE_TOML = QUESTIONNAIRES / "sample.toml"  # every question type and branch kind, en + ru
BAD = QUESTIONNAIRES / "bad"  # one specific problem per file
VECTORS = DATA / "vectors" / "age"  # the C2SP CCTV age test vectors
STORE_V1 = DATA / "store-v1"  # a data dir written by schema v1 (see its README.md)
STORE_V2 = DATA / "store-v2"  # … by schema v2, the last before key slots

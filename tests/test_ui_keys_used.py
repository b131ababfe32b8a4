"""Every interface-string key the code names exists in the catalogues.

A key missing from ``intake/data/ui/*.toml`` shows the witness nothing (or a raw key) at exactly the
moment something went wrong — so this scans the code for key literals instead of trusting memory.
"""

from __future__ import annotations

import re
from pathlib import Path

from intake import i18n

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = sorted({key.split(".")[0] for key in i18n.catalogue_keys()})
KEY_LITERAL = re.compile(
    r"""["'](?P<key>(?:""" + "|".join(SECTIONS) + r""")\.[a-z_]+(?:\.[a-z_]+)*)["']"""
)


def _keys_named_in_code() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in [*ROOT.glob("intake/**/*.py"), *ROOT.glob("bot/**/*.py")]:
        for match in KEY_LITERAL.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group("key"), str(path.relative_to(ROOT)))
    return found


def test_the_scan_finds_keys_at_all() -> None:
    assert len(_keys_named_in_code()) >= 10


def test_every_key_named_in_code_exists_in_every_catalogue() -> None:
    named = _keys_named_in_code()
    for lang in i18n.bundled_languages():
        table = i18n.catalogue(lang)
        missing = {key: where for key, where in named.items() if key not in table}
        assert not missing, f"{lang}: keys used in code but not in the catalogue: {missing}"

"""Portable ASCII file names for attachments inside the sealed tar, and their MIME types.

The witness's file name is untrusted and often Cyrillic ("фото травм.png"). Staff open the tar on
ordinary laptops, so the stored name must be plain ASCII, short, free of path tricks, and keep its
extension (otherwise the file cannot be opened by double-click). Belarusian, Russian and Ukrainian
letters are transliterated so the name stays readable; accents are stripped; anything else is
replaced. The original name is kept in ``submission.json`` (``filename``). The MIME type a channel
reports is untrusted too: it is kept only if it has the shape of one (:data:`MIME_RE`, which the
submission validator also applies), else it becomes :data:`FALLBACK_MIME`.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME = 64
FALLBACK = "file"
FALLBACK_MIME = "application/octet-stream"
MIME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*")

_UNSAFE_RE = re.compile(r"[^A-Za-z0-9._-]+")
_EXTENSION_RE = re.compile(r"[A-Za-z0-9]{1,10}")

# One Latin spelling per letter for be/ru/uk together (a file name, not a passport: readable
# beats reversible). Apostrophes used as letters in be/uk are dropped.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "yo", "є": "ye",
    "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ў": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e",
    "ю": "yu", "я": "ya", "'": "", "’": "", "ʼ": "",
}  # fmt: skip
_TABLE = str.maketrans(
    {**_CYRILLIC, **{k.upper(): v.capitalize() for k, v in _CYRILLIC.items() if k.isalpha()}}
)


def to_ascii(text: str) -> str:
    """``text`` with be/ru/uk letters transliterated and accents stripped (other letters stay)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TABLE))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def safe_name(filename: str) -> str:
    """A portable ASCII name for an untrusted file name: ``[A-Za-z0-9._-]``, at most 64 characters,
    starting with a letter or digit, extension kept (``"фото травм.png"`` → ``"foto_travm.png"``,
    ``"照片.jpg"`` → ``"file.jpg"``)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = base.rpartition(".")
    ext = to_ascii(ext)
    if not (dot and stem.strip("._- ") and _EXTENSION_RE.fullmatch(ext)):
        stem, ext = base, ""
    cleaned = _UNSAFE_RE.sub("_", to_ascii(stem)).strip("._-")
    room = MAX_NAME - (len(ext) + 1 if ext else 0)
    cleaned = cleaned[:room].rstrip("._-") or FALLBACK
    return f"{cleaned}.{ext}" if ext else cleaned


def safe_mime(mime: str | None) -> str:
    """``mime`` if it has the shape of a MIME type (``type/subtype``), else ``FALLBACK_MIME``."""
    return mime if mime and MIME_RE.fullmatch(mime) else FALLBACK_MIME

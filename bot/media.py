"""Files the witness sends: found in the message, fetched with ``getFile``, streamed into the draft.

The download goes straight from Telegram's file URL into ``IntakeService.add_attachment`` in 64 KiB
chunks, so plaintext never touches the disk and memory stays bounded whatever the size. The file URL
contains the bot token (``<base_file_url><token>/<path>``): it is used, never logged, and errors
carry only the HTTP status. A download ends by one deadline scaled to its size
(:meth:`Downloader.budget`): httpx's timeouts are per read, so a server that trickles a byte a
minute would otherwise hold the download — and the witness's conversation — for as long as it
liked.

A self-hosted Bot API server in ``--local`` mode does not serve files over HTTP at all: ``getFile``
answers with a path in the server's own directory (mounted read-only into the bot at the same
path; python-telegram-bot then keeps the path as it is). With a self-hosted server configured, such
an absolute path is read from disk in the same bounded chunks.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
from telegram import Bot, Message

from bot.retry import ErrorHook, RetryPolicy, with_retry
from intake.submission.names import FALLBACK_MIME

CHUNK = 64 * 1024


@dataclass(frozen=True)
class IncomingFile:
    """A file in a message: what to fetch and what to record about it."""

    file_id: str
    size: int | None
    filename: str
    mime: str
    kind: str


class DownloadError(Exception):
    """The file could not be fetched from Telegram (the message says why, without the URL)."""


class FileTooBigError(DownloadError):
    """The file is larger than the configured limit."""


class DownloadTimeoutError(DownloadError):
    """The download did not complete within its deadline (the witness is asked to send again)."""


# Message attribute (also the kind) -> the name and type to record when Telegram gives none.
_KINDS = (
    ("document", "document", FALLBACK_MIME),
    ("photo", "photo.jpg", "image/jpeg"),
    ("video", "video.mp4", "video/mp4"),
    ("voice", "voice.ogg", "audio/ogg"),
    ("audio", "audio.mp3", "audio/mpeg"),
    ("video_note", "video_note.mp4", "video/mp4"),
)


def incoming_file(message: Message) -> IncomingFile | None:
    """The file a message carries (the largest size of a photo), or None."""
    for kind, default_name, default_mime in _KINDS:
        item = getattr(message, kind)
        if item:
            if kind == "photo":  # the sizes of one photo: take the largest
                item = max(item, key=lambda s: (s.file_size or 0, s.width * s.height))
            # photos, voice and video notes have no file name; photos and video notes no type
            name = getattr(item, "file_name", None) or default_name
            mime = getattr(item, "mime_type", None) or default_mime
            return IncomingFile(item.file_id, item.file_size, name, mime, kind)
    return None


class Downloader:
    """Streams Telegram files; owns one HTTP client (opened in :meth:`start`)."""

    deadline_base = 30.0  # seconds every download may take, whatever its size
    min_rate = 100_000  # bytes per second: a download slower than this fails

    def __init__(
        self, bot: Bot, policy: RetryPolicy, max_bytes: int, *, local_files: bool = False
    ) -> None:
        """``local_files``: a self-hosted Bot API server in ``--local`` mode shares its files
        by path; only then is a ``file_path`` outside HTTP(S) read from disk."""
        self._bot = bot
        self._policy = policy
        self.max_bytes = max_bytes
        self.local_files = local_files
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        """Open the HTTP client used for downloads."""
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(30.0, read=60.0))

    async def close(self) -> None:
        """Close the HTTP client."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def url_of(self, item: IncomingFile, on_error: ErrorHook | None = None) -> str:
        """The download URL of ``item`` (contains the token: never log it)."""
        if item.size is not None and item.size > self.max_bytes:
            raise FileTooBigError(f"{item.kind} of {item.size} bytes is over the limit")
        tg_file = await with_retry(
            lambda: self._bot.get_file(item.file_id),
            self._policy,
            what="getFile",
            on_error=on_error,
        )
        if tg_file.file_size is not None and tg_file.file_size > self.max_bytes:
            raise FileTooBigError(f"{item.kind} of {tg_file.file_size} bytes is over the limit")
        if not tg_file.file_path:
            raise DownloadError(f"getFile gave no path for the {item.kind}")
        return tg_file.file_path

    async def chunks(self, url: str) -> AsyncIterator[bytes]:
        """The file's bytes in chunks of ≤ 64 KiB, stopping past ``max_bytes``."""
        if self.local_files and os.path.isabs(url):
            async for chunk in self._local_chunks(url):
                yield chunk
            return
        if self._client is None:
            raise DownloadError("the downloader is not started")
        started = asyncio.get_running_loop().time()
        deadline = started + self.budget(self.max_bytes)  # until the length is known
        seen = 0
        try:
            async with asyncio.timeout_at(deadline):
                response = await self._client.send(
                    self._client.build_request("GET", url), stream=True
                )
            try:
                if response.status_code != 200:
                    raise DownloadError(f"file download answered HTTP {response.status_code}")
                length = _content_length(response)
                if length is not None and length > self.max_bytes:
                    raise FileTooBigError(f"file of {length} bytes is over the limit")
                if length is not None:
                    deadline = min(deadline, started + self.budget(length))
                parts = response.aiter_bytes(CHUNK)
                while True:
                    try:  # (the deadline bounds the reads only, never the consumer's work)
                        async with asyncio.timeout_at(deadline):
                            chunk = await anext(parts)
                    except StopAsyncIteration:
                        break
                    seen += len(chunk)
                    if seen > self.max_bytes:
                        raise FileTooBigError("file grew past the limit while downloading")
                    yield chunk
            finally:
                await response.aclose()
        except TimeoutError:
            took = deadline - started
            raise DownloadTimeoutError(f"file download took longer than {took:.0f} s") from None
        except httpx.HTTPError as exc:
            # str(exc) may quote the URL (and with it the token): keep only the type
            raise DownloadError(f"file download failed ({type(exc).__name__})") from None

    def budget(self, size: int) -> float:
        """Seconds a download of ``size`` bytes may take: :attr:`deadline_base` plus the size at
        :attr:`min_rate` (20 MB: 30 s + 200 s; 2000 MB from a local server: about 5.6 h)."""
        return self.deadline_base + size / self.min_rate

    async def _local_chunks(self, path: str) -> AsyncIterator[bytes]:
        """A file the local Bot API server left on disk, in bounded chunks (read off the loop)."""
        try:
            f = await asyncio.to_thread(open, path, "rb")
        except OSError as exc:
            raise DownloadError(f"local file unreadable ({type(exc).__name__})") from None
        seen = 0
        try:
            while chunk := await asyncio.to_thread(f.read, CHUNK):
                seen += len(chunk)
                if seen > self.max_bytes:
                    raise FileTooBigError("file is over the limit")
                yield chunk
        except OSError as exc:
            raise DownloadError(f"local file read failed ({type(exc).__name__})") from None
        finally:
            f.close()


def _content_length(response: httpx.Response) -> int | None:
    """The announced body length, if the server gave a plain one."""
    raw = response.headers.get("content-length", "")
    return int(raw) if raw.isascii() and raw.isdigit() else None

"""Bodies are encoded as httpx encodes them for PTB's HTTPXRequest: the same fields and files
reach the server whichever client sends them, and no file name can break out of its header."""

from __future__ import annotations

import io

from telegram import InputFile
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot import formdata
from bot.lean_request import LeanRequest
from tests.support.fakebot.http import Request
from tests.support.rawserver import RawServer, serve_ok

HOSTILE_NAME = 'evil"name\r\nX-Injected: 1\\.txt'


def _data(*, files: bool) -> RequestData:
    params = [
        RequestParameter.from_input("chat_id", 12345),
        RequestParameter.from_input("text", 'Свідчення & ü — «quotes» "x" a=b&c'),
        RequestParameter.from_input("reply_markup", {"inline_keyboard": [[{"text": "Так"}]]}),
        RequestParameter.from_input("disable_notification", True),
    ]
    if files:
        params.append(
            RequestParameter.from_input("document", InputFile(b"\x00\xffPDF", HOSTILE_NAME))
        )
        handle = InputFile(io.BytesIO(b"from a handle"), "h.bin", read_file_handle=False)
        params.append(RequestParameter.from_input("thumbnail", handle))
    return RequestData(params)


async def _received(client: BaseRequest, data: RequestData) -> Request:
    async with RawServer(serve_ok) as server:
        await client.initialize()
        try:
            await client.do_request(server.url("/bot1:x/sendDocument"), "POST", request_data=data)
        finally:
            await client.shutdown()
        (request,) = server.connections[0].requests
        return request


async def test_form_fields_match_httpx() -> None:
    ours = await _received(LeanRequest(), _data(files=False))
    theirs = await _received(HTTPXRequest(), _data(files=False))
    assert ours.headers["content-type"] == theirs.headers["content-type"] == formdata.FORM
    assert ours.form == theirs.form
    assert ours.form["text"] == 'Свідчення & ü — «quotes» "x" a=b&c'
    assert ours.form["reply_markup"] == {"inline_keyboard": [[{"text": "Так"}]]}
    assert ours.headers["user-agent"] == theirs.headers["user-agent"]


async def test_multipart_matches_httpx_and_escapes_file_names() -> None:
    ours = await _received(LeanRequest(), _data(files=True))
    theirs = await _received(HTTPXRequest(), _data(files=True))
    assert ours.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert ours.form == theirs.form
    assert ours.files == theirs.files == {"document": b"\x00\xffPDF", "thumbnail": b"from a handle"}
    assert b"X-Injected: 1" not in ours.body.replace(b"%0D%0AX-Injected", b"")
    assert b'filename="evil%22name%0D%0AX-Injected: 1\\\\.txt"' in ours.body


async def test_no_parameters_no_body() -> None:
    request = await _received(LeanRequest(), RequestData([]))
    assert request.body == b""
    assert request.headers["content-length"] == "0"
    assert "content-type" not in request.headers

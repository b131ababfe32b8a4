"""The fake Bot API server itself: real PTB talks to it over HTTP and gets Telegram's behaviour."""

from __future__ import annotations

import httpx
import pytest
from telegram import Bot
from telegram.error import BadRequest, NetworkError, RetryAfter

from tests.support.fakebot import FakeBotApi
from tests.support.fakebot.echo import build_echo


def _bot(fake: FakeBotApi) -> Bot:
    return Bot(
        fake.token, base_url=fake.base_url + "/bot", base_file_url=fake.base_url + "/file/bot"
    )


async def test_echo_bot_round_trip_over_long_polling(fake: FakeBotApi) -> None:
    app = build_echo(fake.token, fake.base_url)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=10)
        users = [fake.user() for _ in range(5)]
        for n, user in enumerate(users):
            await fake.send_text(user, f"hello {n}")
        for n, user in enumerate(users):
            assert (await fake.next_reply(user.id)).text == f"hello {n}"
        await app.updater.stop()
        await app.stop()


async def test_bot_api_rules_match_telegram(fake: FakeBotApi) -> None:
    user = fake.user()
    await fake.send_text(user, "hi")  # makes the chat known
    async with _bot(fake) as bot:
        msg = await bot.send_message(user.id, "x", protect_content=True)
        assert fake.chat(user.id).messages[msg.message_id].protect_content
        with pytest.raises(BadRequest, match="not modified"):
            await bot.edit_message_text("x", chat_id=user.id, message_id=msg.message_id)
        with pytest.raises(BadRequest, match="too long"):
            await bot.send_message(user.id, "a" * 4097)
        with pytest.raises(BadRequest):
            await bot.delete_messages(user.id, list(range(1, 102)))
        assert await bot.delete_messages(user.id, [msg.message_id, 999])
        assert [m.message_id for m in fake.chat(user.id).visible()] == [1]


async def test_faults_429_502_drop_then_recovery(fake: FakeBotApi) -> None:
    user = fake.user()
    await fake.send_text(user, "hi")
    async with _bot(fake) as bot:
        fake.faults.add("429", calls=1, retry_after=3)
        with pytest.raises(RetryAfter) as info:
            await bot.send_message(user.id, "a")
        assert "3" in str(info.value)
        fake.faults.add("502", calls=1)
        with pytest.raises(NetworkError):
            await bot.send_message(user.id, "b")
        fake.faults.add("drop", calls=1)
        with pytest.raises(NetworkError):
            await bot.send_message(user.id, "c")
        assert (await bot.send_message(user.id, "d")).text == "d"
    assert [m.text for m in fake.chat(user.id).visible() if m.from_bot] == ["d"]


async def test_file_download_needs_the_token(fake: FakeBotApi) -> None:
    file_id, _ = fake.add_file(b"\x00evidence", "documents/file_1.pdf")
    async with _bot(fake) as bot:
        tg_file = await bot.get_file(file_id)
        assert tg_file.file_path is not None
        async with httpx.AsyncClient() as client:
            assert (await client.get(tg_file.file_path)).content == b"\x00evidence"
            wrong = f"{fake.base_url}/file/botWRONG/documents/file_1.pdf"
            assert (await client.get(wrong)).status_code == 401

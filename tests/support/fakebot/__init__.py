"""A loopback fake of the Telegram Bot API that real python-telegram-bot talks to over HTTP.

Usage::

    fake = FakeBotApi()
    await fake.start()                      # 127.0.0.1:<free port>; fake.base_url for the bot
    alice = fake.user("ru")
    await fake.send_text(alice, "/start")
    prompt = await fake.next_reply(alice.id)  # next message the bot sent or edited there
    await fake.press(alice, prompt.message_id, prompt.button("English"))
    fake.faults.add("429", seconds=2, retry_after=1)
    fake.chat(alice.id).visible()           # what is still in the chat
    await fake.stop()
"""

from tests.support.fakebot.api import Chat, Msg
from tests.support.fakebot.faults import Fault, Faults
from tests.support.fakebot.inject import FakeBotApi, FakeUser

__all__ = ["Chat", "FakeBotApi", "FakeUser", "Fault", "Faults", "Msg"]

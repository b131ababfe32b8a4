"""The few lines only the Telegram channel says (the engine words everything else), per language.

Kept here rather than in the engine's catalogue because they are about Telegram itself: files,
group chats, the quick exit. Every language has every key; unknown languages fall back to English.
"""

from __future__ import annotations

from typing import Literal

TextKey = Literal[
    "media_hint",
    "file_too_big",
    "file_failed",
    "not_now",
    "rate_limited",
    "too_many_submissions",
    "private_only",
    "edited",
    "forwarded",
    "unsupported",
    "deleted",
    "stale_button",
]

_EN: dict[TextKey, str] = {
    "media_hint": "Tip: send photos and videos as a file (📎 → File) to keep their original "
    "quality and details.",
    "file_too_big": "This file is too large (the limit is {mb} MB). You can send a smaller one "
    "or skip this question.",
    "file_failed": "The file could not be received. Please try sending it again.",
    "not_now": "A file or sticker is not expected right now. Please answer the question above.",
    "rate_limited": "You are sending messages very fast. Please wait a minute, then send your last "
    "message again. Your earlier answers are kept.",
    "too_many_submissions": "You have sent several testimonies today. Please try again tomorrow.",
    "private_only": "This bot only works in a private chat. Please write to it directly.",
    "edited": "Edited messages are not used. Please send the corrected answer as a new message.",
    "forwarded": "Forwarded text is not used as an answer. Please type your answer in your own "
    "words.",
    "unsupported": "Please answer with a text message or the buttons.",
    "deleted": "Done.",
    "stale_button": "This button is no longer active.",
}

_RU: dict[TextKey, str] = {
    "media_hint": "Совет: отправляйте фото и видео как файл (📎 → Файл), чтобы сохранить их "
    "исходное качество и детали.",
    "file_too_big": "Файл слишком большой (предел {mb} МБ). Отправьте файл поменьше или "
    "пропустите этот вопрос.",
    "file_failed": "Не удалось получить файл. Попробуйте отправить его ещё раз.",
    "not_now": "Сейчас не ожидается файл или стикер. Ответьте, пожалуйста, на вопрос выше.",
    "rate_limited": "Вы отправляете сообщения очень быстро. Подождите минуту и отправьте последнее "
    "сообщение ещё раз. Предыдущие ответы сохранены.",
    "too_many_submissions": "Сегодня вы уже отправили несколько свидетельств. Попробуйте завтра.",
    "private_only": "Этот бот работает только в личном чате. Напишите ему напрямую.",
    "edited": "Изменённые сообщения не учитываются. Отправьте исправленный ответ новым сообщением.",
    "forwarded": "Пересланный текст не принимается как ответ. Напишите ответ своими словами.",
    "unsupported": "Ответьте, пожалуйста, текстом или кнопками.",
    "deleted": "Готово.",
    "stale_button": "Эта кнопка больше не действует.",
}

_UK: dict[TextKey, str] = {
    "media_hint": "Порада: надсилайте фото й відео як файл (📎 → Файл), щоб зберегти їхню "
    "початкову якість і деталі.",
    "file_too_big": "Файл завеликий (межа {mb} МБ). Надішліть менший файл або пропустіть це "
    "питання.",
    "file_failed": "Не вдалося отримати файл. Спробуйте надіслати його ще раз.",
    "not_now": "Зараз не очікується файл чи стікер. Дайте, будь ласка, відповідь на питання вище.",
    "rate_limited": "Ви надсилаєте повідомлення дуже швидко. Зачекайте хвилину й надішліть останнє "
    "повідомлення ще раз. Попередні відповіді збережено.",
    "too_many_submissions": "Сьогодні ви вже надіслали кілька свідчень. Спробуйте завтра.",
    "private_only": "Цей бот працює лише в особистому чаті. Напишіть йому напряму.",
    "edited": "Змінені повідомлення не враховуються. Надішліть виправлену відповідь новим "
    "повідомленням.",
    "forwarded": "Пересланий текст не приймається як відповідь. Напишіть відповідь своїми словами.",
    "unsupported": "Дайте, будь ласка, відповідь текстом або кнопками.",
    "deleted": "Готово.",
    "stale_button": "Ця кнопка вже не діє.",
}

_BE: dict[TextKey, str] = {
    "media_hint": "Парада: дасылайце фота і відэа як файл (📎 → Файл), каб захаваць іх "
    "першапачатковую якасць і дэталі.",
    "file_too_big": "Файл занадта вялікі (мяжа {mb} МБ). Дашліце меншы файл або прапусціце гэтае "
    "пытанне.",
    "file_failed": "Не ўдалося атрымаць файл. Паспрабуйце даслаць яго яшчэ раз.",
    "not_now": "Зараз не чакаецца файл ці стыкер. Адкажыце, калі ласка, на пытанне вышэй.",
    "rate_limited": "Вы дасылаеце паведамленні вельмі хутка. Пачакайце хвіліну і дашліце апошняе "
    "паведамленне яшчэ раз. Папярэднія адказы захаваны.",
    "too_many_submissions": "Сёння вы ўжо даслалі некалькі сведчанняў. Паспрабуйце заўтра.",
    "private_only": "Гэты бот працуе толькі ў асабістым чаце. Напішыце яму наўпрост.",
    "edited": "Змененыя паведамленні не ўлічваюцца. Дашліце выпраўлены адказ новым паведамленнем.",
    "forwarded": "Перасланы тэкст не прымаецца як адказ. Напішыце адказ сваімі словамі.",
    "unsupported": "Адкажыце, калі ласка, тэкстам або кнопкамі.",
    "deleted": "Гатова.",
    "stale_button": "Гэтая кнопка ўжо не дзейнічае.",
}

_CATALOGUE: dict[str, dict[TextKey, str]] = {"en": _EN, "ru": _RU, "uk": _UK, "be": _BE}


def text(key: TextKey, language: str | None, **fields: object) -> str:
    """The line ``key`` in ``language`` (English if unknown), with ``fields`` filled in."""
    table = _CATALOGUE.get(normalise_language(language) or "en", _EN)
    return table[key].format(**fields)


def normalise_language(code: str | None) -> str | None:
    """Telegram's ``language_code`` (``"ru"``, ``"en-US"``) reduced to its primary subtag."""
    if not code:
        return None
    return code.split("-")[0].split("_")[0].lower() or None

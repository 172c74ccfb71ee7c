"""Text and voice in the chat. A message from a worker with an open request goes to that
request's caseworker (service/help_requests/chat.py) and the bot says where it went; without one,
a keyword typed anywhere in the message answers as the keyword would, and anything else is
offered 求助. No network calls here (WeChat's 5 seconds)."""
from handlers.wechat.bot import HELP_TEXT, link
from handlers.wechat.registry import contained_keyword, is_pure, on_click, on_keyword, on_message, pure_first
from service.help_requests import chat
from service.links import h5_url
from service.wechat import followers as workers


def _without_request(message, text: str) -> str | None:
    """The answer to a text (or recognised voice) when the worker has no open request: it changes
    nothing, so the callback answers it without a claim or a transaction. None when there is an
    open request, or the text holds a keyword whose handler changes something."""
    if chat.has_open_request(message.source):
        return None
    handler = contained_keyword(text) if text else None
    if handler is None:
        return HELP_TEXT + "\n" + link(h5_url("help"), "我要求助")
    return handler(message) if is_pure(handler) else None


@on_message("text")
@pure_first(lambda message: _without_request(message, message.content or ""))
def text_message(message) -> str:
    worker = workers.get_or_create_worker(message.source)
    request, count = chat.add_chat_message(worker, message.content or "")
    if request is not None:
        return chat.forwarded_sentence(request, count)
    handler = contained_keyword(message.content)
    return handler(message) if handler else HELP_TEXT + "\n" + link(h5_url("help"), "我要求助")


@on_message("voice")
@pure_first(lambda message: _without_request(message, (message.recognition or "").strip()))
def voice_message(message) -> str:
    worker = workers.get_or_create_worker(message.source)
    recognised = (message.recognition or "").strip()
    request, count = chat.add_chat_message(worker, recognised, kind="voice", media_id=message.media_id)
    if request is not None:
        return chat.forwarded_sentence(request, count)
    handler = contained_keyword(recognised) if recognised else None
    return handler(message) if handler else HELP_TEXT + "\n" + link(h5_url("help"), "我要求助")


@on_click("HUMAN")
@on_keyword("人工客服", "人工", "客服", "转人工", "找工作人员", "有人吗")
def human(message) -> str:
    """Ask for a person: the caseworker of the open request, or 求助 to open one."""
    worker = workers.get_or_create_worker(message.source)
    request, count = chat.add_chat_message(worker, "职工请求人工客服")
    if request is not None:
        return chat.forwarded_sentence(request, count) + "\n您可以直接在对话框留言、发语音或图片。"
    return ("工会工作人员通过“求助”受理您的事情：请先提交求助，之后您在对话框发送的消息都会转给办理人。\n"
            + link(h5_url("help"), "我要求助"))

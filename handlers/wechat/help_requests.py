"""Images sent in the chat become evidence for the worker's open request. Nothing here calls
out (WeChat's 5 seconds): the image is recorded with its MediaId and fetched by a job."""
from handlers.wechat.bot import link
from handlers.wechat.registry import on_message, pure_first
from service.help_requests import attachments, chat
from service.wechat import followers as workers
from service.errors import Conflict
from service.links import h5_url


def _no_request() -> str:
    return ("已收到图片。您目前没有正在办理的诉求：如需作为求助证据，请先提交求助，"
            "再在对话框发送图片。\n" + link(h5_url("help"), "我要求助") + "　" + link(h5_url("me"), "我的"))


@on_message("image")
@pure_first(lambda message: None if chat.has_open_request(message.source) else _no_request())
def evidence_image(message) -> str:
    worker = workers.get_or_create_worker(message.source)
    try:
        request = attachments.attach_chat_image(worker, message.media_id)
    except Conflict as error:
        return f"图片未能附到诉求：{error.message}"
    if request is None:
        return _no_request()
    return f"已收到图片，已作为证据附到您的诉求 {request.number}，办理人可以看到。"

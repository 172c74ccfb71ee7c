"""A staff member scans the temporary QR code of the console's 绑定微信: their WeChat gets alerts."""
from handlers.wechat.registry import on_scene
from service.errors import Conflict
from service.staff import wechat_binding


@on_scene(wechat_binding.PREFIX)
def bind_staff(message, value: str) -> str:
    try:
        staff = wechat_binding.bind_by_scene(value, message.source)
    except Conflict as error:
        return f"绑定失败：{error.message}"
    return f"绑定成功：{staff.display_name}，诉求提醒（超期、未送达、职工申请重新办理）将发到这个微信。"

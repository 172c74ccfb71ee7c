"""Development only (WECHAT_SIMULATOR): the WeChat API stand-in (/sim/wechat) and the phone
simulator's support API (/sim/phone). create_app mounts them only when the flag is on."""
from handlers.simulator import phone, standin

BLUEPRINTS = [standin.bp, phone.bp]

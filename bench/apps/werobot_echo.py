"""The WeRoBot 1.13 baseline: an echo robot (`gunicorn bench.apps.werobot_echo:app`).

It verifies the signature, parses the XML, dispatches and renders a text reply — in safe mode it
decrypts and encrypts too — with no database, as a WeChat framework does at its fastest."""
import os

from werobot import WeRoBot

robot = WeRoBot(token=os.environ["WECHAT_TOKEN"], encoding_aes_key=os.environ.get("WECHAT_AES_KEY") or None,
                app_id=os.environ.get("WECHAT_APPID"))
robot.config["SESSION_STORAGE"] = False


@robot.text
def echo(message):
    return message.content


@robot.handler
def anything(message):
    return "收到"


app = robot.wsgi

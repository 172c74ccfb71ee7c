"""The bare Flask ceiling (`gunicorn bench.apps.bare_flask:app`): checks the signature and answers
a fixed text reply, nothing else — no XML parsing, no dispatch, no database."""
import hashlib
import hmac
import os

from flask import Flask, Response, request

app = Flask(__name__)
TOKEN = os.environ["WECHAT_TOKEN"]
REPLY = ("<xml><ToUserName><![CDATA[u]]></ToUserName><FromUserName><![CDATA[gh]]></FromUserName>"
         "<CreateTime>0</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[好]]></Content></xml>")


@app.route("/wechat", methods=["GET", "POST"])
def wechat():
    args = request.args
    expected = hashlib.sha1("".join(sorted([TOKEN, args.get("timestamp", ""), args.get("nonce", "")])).encode())
    if not hmac.compare_digest(expected.hexdigest(), args.get("signature", "")):
        return Response("bad signature", status=403)
    request.get_data()
    return Response(REPLY, content_type="application/xml; charset=utf-8")

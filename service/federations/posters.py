"""Each federation's permanent WeChat QR code (scene "fed:<id>") and its printable poster.

The QR code is created once through the WeChat API (service/wechat/client.py) and kept on the
federation (qr_ticket, qr_url); the poster encodes qr_url — what WeChat's own QR image encodes —
with segno: an SVG poster with the QR embedded as SVG, and a PNG drawn with Pillow in a CJK
font (Noto Sans CJK when installed, Pillow's default font otherwise).
"""
import functools
import io
from pathlib import Path
from xml.sax.saxutils import escape

import segno
from PIL import Image, ImageDraw, ImageFont

from models.federation import Federation
from service.errors import NotFound
from service.extensions import db

TAGLINE = "扫码关注，在线入会、求助、报名竞赛"
FOOTER = "微信扫一扫 · 关注工联公众号"
WIDTH, HEIGHT = 1240, 1754  # A4 at 150 dpi
RED, INK, GREY = "#c8161d", "#1f1f1f", "#666666"
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")
FONT_NAMES = {"bold": ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold.otf", "NotoSansSC-Bold.otf"),
              "regular": ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSansSC-Regular.otf")}


def ensure_qrcode(federation: Federation, wechat=None) -> Federation:
    """Give the federation its permanent QR code, created once (flushed; the caller commits)."""
    if federation.qr_ticket and federation.qr_url:
        return federation
    if not federation.is_federation or federation.status == "dissolved":
        raise NotFound("只有运行中的工会联合会才有二维码")
    if wechat is None:
        from service.wechat import client as wechat_client

        wechat = wechat_client.api()
    federation.qr_ticket, federation.qr_url = wechat.create_qrcode(federation.scene, permanent=True)
    db.session.flush()
    return federation


def _qr(federation: Federation):
    return segno.make(federation.qr_url, error="m")


def _lines(text: str, per_line: int) -> list[str]:
    return [text[i:i + per_line] for i in range(0, len(text), per_line)] or [""]


def name_lines(name: str, per_line: int = 14) -> list[str]:
    """A long name breaks before 工会联合会 rather than in the middle of a word."""
    suffix = "工会联合会"
    if len(name) > per_line and name.endswith(suffix):
        return _lines(name[:-len(suffix)], per_line) + [suffix]
    return _lines(name, per_line)


# --- SVG ------------------------------------------------------------------------------------
def poster_svg(federation: Federation) -> bytes:
    """The poster as SVG (the QR code is vector too, so it prints sharp at any size)."""
    qr = _qr(federation)
    size = 760
    scale = size / qr.symbol_size(border=2)[0]
    qr_svg = qr.svg_inline(scale=scale, border=2, dark=INK, light="#ffffff", omitsize=False)
    qr_svg = qr_svg.replace("<svg ", f'<svg x="{(WIDTH - size) // 2}" y="560" ', 1)
    names = name_lines(federation.name)
    title = "".join(
        f'<text x="{WIDTH // 2}" y="{250 + i * 96}" font-size="80" font-weight="700" fill="{RED}" '
        f'text-anchor="middle">{escape(line)}</text>' for i, line in enumerate(names))
    font = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
    svg = f'''<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{font}">
<rect width="100%" height="100%" fill="#ffffff"/>
<rect width="100%" height="36" fill="{RED}"/>
<text x="{WIDTH // 2}" y="140" font-size="44" fill="{GREY}" text-anchor="middle">工会联合会 · 职工服务</text>
{title}
<text x="{WIDTH // 2}" y="{250 + len(names) * 96 + 30}" font-size="48" fill="{INK}" text-anchor="middle">{escape(TAGLINE)}</text>
<rect x="{(WIDTH - 820) // 2}" y="530" width="820" height="820" rx="24" fill="none" stroke="#e5e5e5" stroke-width="4"/>
{qr_svg}
<text x="{WIDTH // 2}" y="1440" font-size="40" fill="{GREY}" text-anchor="middle">{escape(FOOTER)}</text>
<text x="{WIDTH // 2}" y="1500" font-size="32" fill="{GREY}" text-anchor="middle">{escape(federation.scene)}</text>
<rect y="{HEIGHT - 36}" width="100%" height="36" fill="{RED}"/>
</svg>
'''
    return svg.encode("utf-8")


# --- PNG ------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def font_files() -> dict[str, str | None]:
    """Noto CJK font files on this machine ({"bold": path, "regular": path}), None if missing."""
    found: dict[str, str | None] = {"bold": None, "regular": None}
    for weight, names in FONT_NAMES.items():
        for folder in FONT_DIRS:
            if found[weight] or not Path(folder).is_dir():
                continue
            for name in names:
                match = next(Path(folder).rglob(name), None)
                if match:
                    found[weight] = str(match)
                    break
    return found


def _font(weight: str, size: int):
    path = font_files()[weight] or font_files()["regular"]
    if path:
        return ImageFont.truetype(path, size=size, index=2 if path.endswith(".ttc") else 0)  # 2 = SC
    return ImageFont.load_default(size=size)


def _center(draw: ImageDraw.ImageDraw, y: int, text: str, font, fill: str) -> int:
    box = draw.textbbox((0, 0), text, font=font)
    draw.text(((WIDTH - (box[2] - box[0])) // 2, y), text, font=font, fill=fill)
    return y + (box[3] - box[1])


def poster_png(federation: Federation) -> bytes:
    """The poster as a PNG, ready to print at A4."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 36), fill=RED)
    draw.rectangle((0, HEIGHT - 36, WIDTH, HEIGHT), fill=RED)
    _center(draw, 96, "工会联合会 · 职工服务", _font("regular", 44), GREY)
    y = 190
    for line in name_lines(federation.name):
        _center(draw, y, line, _font("bold", 80), RED)
        y += 96
    _center(draw, y + 36, TAGLINE, _font("regular", 48), INK)
    buffer = io.BytesIO()
    qr = _qr(federation)
    qr.save(buffer, kind="png", scale=max(1, 760 // qr.symbol_size(border=2)[0]), border=2)
    code = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB").resize((760, 760), Image.NEAREST)
    draw.rounded_rectangle(((WIDTH - 820) // 2, 530, (WIDTH + 820) // 2, 1350), radius=24, outline="#e5e5e5", width=4)
    image.paste(code, ((WIDTH - 760) // 2, 560))
    _center(draw, 1400, FOOTER, _font("regular", 40), GREY)
    _center(draw, 1465, federation.scene, _font("regular", 32), GREY)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def poster(federation: Federation, fmt: str, wechat=None) -> tuple[bytes, str]:
    """(bytes, content type) of the federation's poster in "png" or "svg"; creates the QR code
    first if the federation has none yet."""
    ensure_qrcode(federation, wechat)
    if fmt == "svg":
        return poster_svg(federation), "image/svg+xml"
    return poster_png(federation), "image/png"

"""Federation QR codes (created once through the API) and printable posters (PNG and SVG)."""
import io

from PIL import Image
from sqlalchemy import func, select

from models.federation import Federation
from models.simulator import SimCall
from service.federations import posters
from service.extensions import db
from tests.factories import make_federation, make_upper

NAME = "石家庄市裕华区货车司机行业工会联合会"


def qr_creations() -> int:
    return db.session.scalar(select(func.count()).select_from(SimCall).where(SimCall.endpoint == "qrcode/create"))


def test_png_poster_is_served_and_the_qr_code_created_once(client, live_server):
    federation = make_federation(NAME, region="130108", industry="G543")
    response = client.get(f"/api/federations/{federation.id}/poster.png")
    assert response.status_code == 200 and response.content_type == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.size == (posters.WIDTH, posters.HEIGHT)
    db.session.expire_all()
    federation = db.session.get(Federation, federation.id)
    assert federation.qr_ticket and federation.qr_url.startswith(live_server.api_base + "/q/")
    assert client.get(f"/api/federations/{federation.id}/poster.png").status_code == 200
    assert qr_creations() == 1


def test_svg_poster_has_the_name_the_tagline_and_a_vector_qr(client, live_server):
    federation = make_federation(NAME, region="130108", industry="G543")
    response = client.get(f"/api/federations/{federation.id}/poster.svg")
    assert response.status_code == 200 and response.content_type.startswith("image/svg+xml")
    svg = response.get_data(as_text=True)
    assert ">石家庄市裕华区货车司机行业</text>" in svg and ">工会联合会</text>" in svg  # broken before 工会联合会
    assert posters.TAGLINE in svg
    assert svg.count("<svg") == 2 and "<path" in svg  # the QR code is an SVG inside the poster


def test_no_poster_for_unknown_or_upper_unions(client, live_server):
    county = make_upper()
    assert client.get("/api/federations/999999/poster.png").status_code == 404
    response = client.get(f"/api/federations/{county.id}/poster.svg")
    assert response.status_code == 404 and response.get_json()["error"]["message"]
    assert client.get(f"/api/federations/{county.id}/poster.gif").status_code == 404


def test_poster_when_wechat_is_down_is_a_502_in_chinese(client):
    federation = make_federation()  # WECHAT_API_BASE points where nothing listens
    response = client.get(f"/api/federations/{federation.id}/poster.png")
    assert response.status_code == 502
    assert response.get_json()["error"]["message"] == "微信接口暂时不可用，请稍后再试"


def test_cli_writes_a_poster(runner, live_server, tmp_path):
    federation = make_federation(NAME, region="130108", industry="G543")
    out = tmp_path / "poster.svg"
    result = runner.invoke(args=["federation", "poster", str(federation.id), "--out", str(out), "--format", "svg"])
    assert result.exit_code == 0, result.output
    assert "石家庄市裕华区货车司机行业" in out.read_text(encoding="utf-8")
    png = tmp_path / "poster.png"
    assert runner.invoke(args=["federation", "poster", str(federation.id), "--out", str(png)]).exit_code == 0
    assert png.read_bytes().startswith(b"\x89PNG")
    missing = runner.invoke(args=["federation", "poster", "999999"])
    assert missing.exit_code != 0 and "找不到" in missing.output


def test_a_cjk_font_is_found_on_this_machine():
    # fonts-noto-cjk is installed by scripts/install-browser.sh; without it the poster still renders
    assert posters.font_files()["regular"], "install fonts-noto-cjk for readable PNG posters"

"""Public federation list (the simulator's QR picker, the H5 pages) and QR posters."""
from flask import Response
from flask_smorest import Blueprint

from handlers.api.openapi import file_response
from handlers.schemas.federations import FederationOut
from service.federations import tree as federations
from service.federations import posters

bp = Blueprint("federations", __name__, url_prefix="/api/federations", description="工会联合会")


@bp.get("")
@bp.response(200, FederationOut(many=True))
def list_federations():
    """Active federations with their QR scene."""
    return federations.list_active_federations()


# Public on purpose: a QR poster is printed and posted on walls. Staff authentication arrives
# in a later issue; creating the QR code (once) is the only side effect.
@bp.get("/<int:federation_id>/poster.<any(png, svg):fmt>")
@bp.doc(summary="二维码海报", description="联合会的永久二维码海报（PNG 或 SVG），首次请求时创建二维码。",
        responses=file_response("image/png", "image/svg+xml", description="海报图片"))
def poster(federation_id: int, fmt: str):
    data, content_type = posters.poster(federations.get_federation(federation_id), fmt)
    return Response(data, content_type=content_type, headers={
        "Content-Disposition": f'inline; filename="federation-{federation_id}-poster.{fmt}"',
        "Cache-Control": "no-cache"})

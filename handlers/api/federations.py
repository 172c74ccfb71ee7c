"""Public federation list (the simulator's QR picker, the H5 pages)."""
from flask_smorest import Blueprint

from handlers.schemas.federation import FederationOut
from service import federations

bp = Blueprint("federations", __name__, url_prefix="/api/federations", description="工会联合会")


@bp.get("")
@bp.response(200, FederationOut(many=True))
def list_federations():
    """Active federations with their QR scene."""
    return federations.list_active_federations()

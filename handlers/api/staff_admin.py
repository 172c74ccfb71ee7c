"""Staff accounts (admins: list, create, role, deactivate, reset password) and the caller's own
federation summary (every role)."""
from flask import g
from flask_smorest import Blueprint

from handlers.api.staff_auth import staff_required
from handlers.schemas.staff import (FederationSummaryOut, PasswordIn, StaffAccountOut, StaffCreateIn,
                                    StaffUpdateIn)
from service.staff import accounts as staff_service
from service.staff import admin as staff_admin

bp = Blueprint("staff_admin", __name__, url_prefix="/api", description="员工账号与本单位概况")


@bp.get("/staff")
@staff_required("admin")
@bp.response(200, StaffAccountOut(many=True))
def list_staff():
    """Staff of the admin's node and everything beneath it."""
    return staff_admin.list_staff(g.staff)


@bp.post("/staff")
@staff_required("admin")
@bp.arguments(StaffCreateIn)
@bp.response(201, StaffAccountOut)
def create(data):
    """Create an account in the admin's scope (a node outside it is a 404)."""
    account = staff_service.create_staff(**data, by=g.staff)
    return account


@bp.patch("/staff/<int:staff_id>")
@staff_required("admin")
@bp.arguments(StaffUpdateIn)
@bp.response(200, StaffAccountOut)
def update(data, staff_id):
    """Change role, name, WeChat openid for alerts, or the right to see full ID numbers."""
    account = staff_admin.update_staff(g.staff, staff_id, **data)
    return account


@bp.post("/staff/<int:staff_id>/password")
@staff_required("admin")
@bp.arguments(PasswordIn)
@bp.response(200, StaffAccountOut)
def reset_password(data, staff_id):
    account = staff_admin.reset_password(g.staff, staff_id, data["password"])
    return account


@bp.post("/staff/<int:staff_id>/deactivate")
@staff_required("admin")
@bp.response(200, StaffAccountOut)
def deactivate(staff_id):
    """Stop an account logging in; its open requests return to the unassigned view."""
    account = staff_admin.set_active(g.staff, staff_id, False)
    return account


@bp.post("/staff/<int:staff_id>/activate")
@staff_required("admin")
@bp.response(200, StaffAccountOut)
def activate(staff_id):
    account = staff_admin.set_active(g.staff, staff_id, True)
    return account


@bp.get("/my-federation")
@staff_required()
@bp.response(200, FederationSummaryOut)
def my_federation():
    """The caller's own union or federation, read-only, with its QR poster link."""
    return staff_admin.federation_summary(g.staff)

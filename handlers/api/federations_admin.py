"""The console's federation management: the tree the caller sees, profiles, names, status,
coverage rules and overlaps. Staff only and scoped (a node outside the caller's subtree is a
404); changes need the admin role, and what decides routing (coverage, priority, name,
status) an admin of a union above the federation."""
from flask import g
from flask_smorest import Blueprint

from handlers.api.staff_auth import staff_required
from handlers.schemas.federations import (CoverageIn, CoverageRuleOut, DissolveIn, FederationCreateIn,
                                         FederationDetailOut, FederationNodeOut, FederationProfileIn,
                                         OverlapOut, RenameIn)
from service.federations import coverage
from service.federations import profiles as federation_views
from service.federations import tree as federations
from service.staff.scope import subtree_ids_query

bp = Blueprint("federation_admin", __name__, url_prefix="/api/admin/federations",
               description="工会联合会管理（员工）")


@bp.get("")
@staff_required()
@bp.response(200, FederationNodeOut(many=True))
def tree():
    """The caller's node and every node beneath it, parents first, with warnings."""
    return federation_views.tree(g.staff)


@bp.post("")
@staff_required("admin")
@bp.arguments(FederationCreateIn)
@bp.response(201, FederationDetailOut)
def create(data):
    """Create a federation or upper union under a node of the caller's subtree."""
    federation = federations.create_federation(staff=g.staff, **data)
    return federation_views.detail(g.staff, federation.id)


@bp.get("/overlaps")
@staff_required()
@bp.response(200, OverlapOut(many=True))
def overlaps():
    """Pairs of active federations with an identical coverage rule, at least one in scope."""
    return coverage.overlaps(federation_ids=subtree_ids_query(g.staff.federation_id))


@bp.get("/<int:federation_id>")
@staff_required()
@bp.response(200, FederationDetailOut)
def detail(federation_id):
    """One node: profile, contact, flags, term, coverage, overlaps and warnings."""
    return federation_views.detail(g.staff, federation_id)


@bp.patch("/<int:federation_id>")
@staff_required("admin")
@bp.arguments(FederationProfileIn)
@bp.response(200, FederationDetailOut)
def update(data, federation_id):
    """Change profile, contact details, flags, term or priority."""
    federation = federations.get_visible(g.staff, federation_id)
    federations.update_federation(federation, data, staff=g.staff)
    return federation_views.detail(g.staff, federation_id)


@bp.post("/<int:federation_id>/rename")
@staff_required("admin")
@bp.arguments(RenameIn)
@bp.response(200, FederationDetailOut)
def rename(data, federation_id):
    """Rename, checked by the name rule."""
    federation = federations.get_visible(g.staff, federation_id)
    federations.rename_federation(federation, data["name"], staff=g.staff)
    return federation_views.detail(g.staff, federation_id)


@bp.post("/<int:federation_id>/activate")
@staff_required("admin")
@bp.response(200, FederationDetailOut)
def activate(federation_id):
    """preparing → active."""
    federation = federations.get_visible(g.staff, federation_id)
    federations.activate_federation(federation, staff=g.staff)
    return federation_views.detail(g.staff, federation_id)


@bp.post("/<int:federation_id>/dissolve")
@staff_required("admin")
@bp.arguments(DissolveIn)
@bp.response(200, FederationDetailOut)
def dissolve(data, federation_id):
    """preparing|active → dissolved, effective on the given date."""
    federation = federations.get_visible(g.staff, federation_id)
    federations.dissolve_federation(federation, on=data["dissolved_on"], reason=data["reason"], staff=g.staff)
    return federation_views.detail(g.staff, federation_id)


@bp.get("/<int:federation_id>/coverage")
@staff_required()
@bp.response(200, CoverageRuleOut(many=True))
def list_coverage(federation_id):
    """The federation's coverage rules."""
    federation = federations.get_visible(g.staff, federation_id)
    return [coverage.rule_out(rule) for rule in coverage.list_rules(federation)]


@bp.post("/<int:federation_id>/coverage")
@staff_required("admin")
@bp.arguments(CoverageIn)
@bp.response(201, CoverageRuleOut)
def add_coverage(data, federation_id):
    """Add a rule (region code, industry code or none)."""
    federation = federations.get_visible(g.staff, federation_id)
    rule = coverage.add_rule(federation, staff=g.staff, **data)
    return coverage.rule_out(rule)


@bp.delete("/<int:federation_id>/coverage/<int:rule_id>")
@staff_required("admin")
@bp.response(204)
def remove_coverage(federation_id, rule_id):
    """Remove a rule."""
    federation = federations.get_visible(g.staff, federation_id)
    coverage.remove_rule(federation, rule_id, staff=g.staff)

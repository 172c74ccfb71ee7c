"""JSON API blueprints, one module per domain and audience (<domain>_<audience>.py).
flask-smorest blueprints (documented in /api/openapi.json) go in API_BLUEPRINTS; plain Flask
blueprints in PLAIN_BLUEPRINTS."""
from handlers.api import (audit_staff, contests_roster, contests_staff, contests_worker, federations_admin,
                          federations_public, governance_staff, health, help_requests_canned, help_requests_staff,
                          help_requests_worker, membership_staff, membership_worker, outbox_staff, positions_public,
                          positions_staff, privacy_worker, refdata_public, routing_public, routing_staff, staff_admin,
                          staff_auth, staff_self, stats_staff)

API_BLUEPRINTS = [staff_auth.bp, federations_public.bp, federations_admin.bp, refdata_public.bp, routing_public.bp,
                  routing_staff.bp]
API_BLUEPRINTS += [membership_worker.bp, membership_worker.card_bp, membership_worker.verify_bp, membership_staff.bp,
                   membership_staff.members_bp]
API_BLUEPRINTS += [help_requests_worker.bp, help_requests_staff.bp, help_requests_canned.bp, staff_admin.bp]
API_BLUEPRINTS += [contests_staff.bp, contests_roster.bp, contests_worker.bp]
API_BLUEPRINTS += [positions_staff.bp, positions_public.bp]
API_BLUEPRINTS += [governance_staff.bp]
API_BLUEPRINTS += [staff_self.bp]
API_BLUEPRINTS += [stats_staff.bp]
API_BLUEPRINTS += [outbox_staff.bp]
API_BLUEPRINTS += [privacy_worker.bp, audit_staff.bp]
PLAIN_BLUEPRINTS = [health.bp]

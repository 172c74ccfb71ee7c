"""JSON API blueprints. flask-smorest blueprints (documented in /api/openapi.json) go in
API_BLUEPRINTS; plain Flask blueprints in PLAIN_BLUEPRINTS."""
from handlers.api import (auth, canned_replies, contest_roster, contest_signup, contests, federation_admin,
                          federations, health, inbox, joining, refdata, requests, review, routing, staff_admin,
                          stats_staff, transfers)

API_BLUEPRINTS = [auth.bp, federations.bp, federation_admin.bp, refdata.bp, routing.bp, transfers.bp]
API_BLUEPRINTS += [joining.bp, joining.card_bp, joining.verify_bp, review.bp, review.members_bp]
API_BLUEPRINTS += [requests.bp, inbox.bp, canned_replies.bp, staff_admin.bp]
API_BLUEPRINTS += [contests.bp, contest_roster.bp, contest_signup.bp]
API_BLUEPRINTS += [stats_staff.bp]
PLAIN_BLUEPRINTS = [health.bp]

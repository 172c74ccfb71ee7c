"""JSON API blueprints. flask-smorest blueprints (documented in /api/openapi.json) go in
API_BLUEPRINTS; plain Flask blueprints in PLAIN_BLUEPRINTS."""
from handlers.api import (auth, contest_roster, contest_signup, contests, federation_admin, federations, health,
                          joining, refdata, review, routing, transfers)

API_BLUEPRINTS = [auth.bp, federations.bp, federation_admin.bp, refdata.bp, routing.bp, transfers.bp]
API_BLUEPRINTS += [joining.bp, joining.card_bp, joining.verify_bp, review.bp, review.members_bp]
API_BLUEPRINTS += [contests.bp, contest_roster.bp, contest_signup.bp]
PLAIN_BLUEPRINTS = [health.bp]

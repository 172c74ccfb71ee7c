"""JSON API blueprints. flask-smorest blueprints (documented in /api/openapi.json) go in
API_BLUEPRINTS; plain Flask blueprints in PLAIN_BLUEPRINTS."""
from handlers.api import auth, federations, health
from handlers.api import joining, refdata, review

API_BLUEPRINTS = [auth.bp, federations.bp]
API_BLUEPRINTS += [joining.bp, joining.card_bp, joining.verify_bp, review.bp, review.members_bp, refdata.bp]
PLAIN_BLUEPRINTS = [health.bp]

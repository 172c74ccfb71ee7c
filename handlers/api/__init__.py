"""JSON API blueprints. flask-smorest blueprints (documented in /api/openapi.json) go in
API_BLUEPRINTS; plain Flask blueprints in PLAIN_BLUEPRINTS."""
from handlers.api import auth, federations, health

API_BLUEPRINTS = [auth.bp, federations.bp]
from handlers.api import federation_admin, refdata, routing, transfers  # noqa: E402
API_BLUEPRINTS += [federation_admin.bp, refdata.bp, routing.bp, transfers.bp]
PLAIN_BLUEPRINTS = [health.bp]

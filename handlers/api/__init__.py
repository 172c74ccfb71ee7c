"""JSON API blueprints. flask-smorest blueprints (documented in /api/openapi.json) go in
API_BLUEPRINTS; plain Flask blueprints in PLAIN_BLUEPRINTS."""
from handlers.api import auth, federations, health

API_BLUEPRINTS = [auth.bp, federations.bp]
PLAIN_BLUEPRINTS = [health.bp]

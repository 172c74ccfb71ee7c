"""JSON API blueprints. flask-smorest blueprints (documented in /api/openapi.json) go in
API_BLUEPRINTS; plain Flask blueprints in PLAIN_BLUEPRINTS."""
from handlers.api import federations, health

API_BLUEPRINTS = [federations.bp]
PLAIN_BLUEPRINTS = [health.bp]

"""JSON API blueprints. flask-smorest blueprints (documented in /api/openapi.json) go in
API_BLUEPRINTS; plain Flask blueprints in PLAIN_BLUEPRINTS."""
from handlers.api import auth, federations, health
from handlers.api import contest_roster, contest_signup, contests

API_BLUEPRINTS = [auth.bp, federations.bp]
API_BLUEPRINTS += [contests.bp, contest_roster.bp, contest_signup.bp]
PLAIN_BLUEPRINTS = [health.bp]

"""JSON API blueprints. flask-smorest blueprints (documented in /api/openapi.json) go in
API_BLUEPRINTS; plain Flask blueprints in PLAIN_BLUEPRINTS."""
from handlers.api import auth, federations, health
from handlers.api import canned_replies, inbox, refdata, requests, staff_admin

API_BLUEPRINTS = [auth.bp, federations.bp]
API_BLUEPRINTS += [requests.bp, inbox.bp, canned_replies.bp, staff_admin.bp, refdata.bp]
PLAIN_BLUEPRINTS = [health.bp]

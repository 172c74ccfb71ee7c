"""Extensions, created once here and bound to the app in create_app().

Flask-Migrate (and with it Alembic, Mako and Pygments) is bound in create_app only when the app
serves the CLI: a web worker never imports it."""
"""Extensions, created once here and bound to the app in create_app()."""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic can alter them on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class GonglianApi(Api):
    """flask-smorest's Api, answering errors in our one shape (service/errors.py)."""

    def _register_error_handlers(self):  # errors.register_error_handlers does it
        pass


db = SQLAlchemy(model_class=Base)
api = GonglianApi()
login_manager = LoginManager()
csrf = CSRFProtect()
# Storage from RATELIMIT_STORAGE_URI (Redis when REDIS_URL is set, memory otherwise: service/config.py).
limiter = Limiter(key_func=get_remote_address)

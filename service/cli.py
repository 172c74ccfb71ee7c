"""The CLI's commit point: a command group whose commands commit once when they succeed.

Every domain's `cli.py` makes its group with `Group(name, help=...)`; a command's domain errors
become a readable ClickException, anything else rolls back and is raised."""
import functools

import click
from flask.cli import AppGroup

from service.errors import AppError
from service.extensions import db


def _committing(callback):
    @functools.wraps(callback)
    def run(*args, **kwargs):
        try:
            result = callback(*args, **kwargs)
            db.session.commit()
            return result
        except AppError as error:
            db.session.rollback()
            raise click.ClickException(f"{error.message} {error.fields or ''}".strip()) from None
        except BaseException:
            db.session.rollback()
            raise
    return run


class Group(AppGroup):
    """An AppGroup (commands run in the app context) whose commands share one commit point."""

    def command(self, *args, **kwargs):
        wrap = super().command(*args, **kwargs)

        def decorator(callback):
            return wrap(_committing(callback))
        return decorator

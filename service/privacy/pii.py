"""Resident ID numbers at rest (DESIGN §7): Fernet-encrypted, found by a keyed hash, shown masked.

Keys come from ID_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first; MultiFernet
encrypts with the first and decrypts with any). Without it, development and tests derive one
key from SECRET_KEY; production refuses to start encrypting without real keys.
`rotate()` re-encrypts a token with the newest key (`flask privacy rotate-keys`).

`PersonalDataFilter` masks 18-character ID numbers and 11-digit mobile numbers in every log
record, a safety net for the rule that no personal data goes into logs.
"""
import base64
import hashlib
import hmac
import logging
import re

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

from service.privacy.fields import mask_id, mask_phone

DEV_HASH_KEY = "dev-only-id-hash-key"


class IdKeyError(RuntimeError):
    """The configured keys cannot encrypt or decrypt: a deployment error, never ignored."""


def is_production(config) -> bool:
    return str(config.get("GONGLIAN_ENV", "development")).lower() == "production"


def _fernet_keys(config) -> list[bytes]:
    raw = [k.strip() for k in str(config.get("ID_ENCRYPTION_KEYS") or "").split(",") if k.strip()]
    if raw:
        return [k.encode() for k in raw]
    if is_production(config):
        raise IdKeyError("ID_ENCRYPTION_KEYS must be set in production")
    digest = hashlib.sha256(b"gonglian-id-encryption:" + str(config["SECRET_KEY"]).encode()).digest()
    return [base64.urlsafe_b64encode(digest)]


def cipher(config=None) -> MultiFernet:
    config = config if config is not None else current_app.config
    try:
        return MultiFernet([Fernet(key) for key in _fernet_keys(config)])
    except (ValueError, TypeError) as error:
        raise IdKeyError(f"ID_ENCRYPTION_KEYS holds an invalid Fernet key: {type(error).__name__}") from None


def encrypt_id(number: str) -> str:
    return cipher().encrypt(number.encode()).decode()


def decrypt_id(token: str) -> str:
    """The plaintext ID number; raises IdKeyError when no configured key opens the token."""
    try:
        return cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise IdKeyError("an ID number cannot be decrypted with the configured ID_ENCRYPTION_KEYS") from None


def rotate(token: str, multi: MultiFernet | None = None) -> str:
    """The same ID number encrypted with the newest key."""
    try:
        return (multi or cipher()).rotate(token.encode()).decode()
    except InvalidToken:
        raise IdKeyError("an ID number cannot be decrypted with the configured ID_ENCRYPTION_KEYS") from None


def id_hash(number: str) -> str:
    """HMAC-SHA256 of the ID number with ID_HASH_KEY: equal IDs, equal hashes; nothing to reverse."""
    config = current_app.config
    key = str(config.get("ID_HASH_KEY") or "")
    if is_production(config) and (not key or key == DEV_HASH_KEY):
        raise IdKeyError("ID_HASH_KEY must be set in production")
    return hmac.new(key.encode(), number.upper().encode(), hashlib.sha256).hexdigest()


def protect_id(number: str) -> dict:
    """The columns that store an ID number: id_number_enc, id_hash, id_masked."""
    return {"id_number_enc": encrypt_id(number), "id_hash": id_hash(number), "id_masked": mask_id(number)}


# --- logs ---------------------------------------------------------------------------------
# A separator people (or URL encoding) put between digit groups: space, dash, dot, plus (an encoded
# space), and their %-encodings.
_SEP = r"(?:[\s\-.+]|%20|%2[Bb]|%2[Dd]|%2[Ee])?"
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})" + _SEP + r"(\d{8})" + _SEP + r"(\d{3}[\dXx])(?![0-9A-Za-z])")
# 13812345678, +86 138 1234 5678, 0086-138-1234-5678, 138+1234+5678, %2B8613812345678 …
_MOBILE_IN_TEXT = re.compile(
    r"(?<!\d)(?:(?:\+|%2[Bb]|00)?86" + _SEP + r")?(1[3-9]\d)" + _SEP + r"(\d{4})" + _SEP + r"(\d{4})(?!\d)")
# The signed /wechat query (and any OAuth answer): whoever holds a signature, nonce or openid from a
# log line can replay or impersonate, so their values never reach a log.
_SECRET_PARAMS = re.compile(r"(?i)\b(signature|msg_signature|nonce|openid|echostr|code|state)=([^&\s\"']+)")


_DIGIT = re.compile(r"\d")


def scrub(text: str) -> str:
    """Mask every resident ID number and mobile number in a piece of text, in any of the forms people
    and URLs write them, and blank the signed WeChat query parameters. (A text with no '=' has no
    parameter, one with no digit no number: the patterns are not run over it.)"""
    if "=" in text:
        text = _SECRET_PARAMS.sub(lambda m: f"{m.group(1)}=***", text)
    if _DIGIT.search(text) is None:
        return text
    text = _ID_IN_TEXT.sub(lambda m: mask_id((m.group(1) + m.group(2) + m.group(3)).upper()), text)
    return _MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group(1) + m.group(2) + m.group(3)), text)


class PersonalDataFilter(logging.Filter):
    """Rewrites a record's message (and its traceback text) with personal numbers masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record.args, "scrubbed", False):  # made of values scrubbed one by one (access log)
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to logging to report
            return True
        # the formatted, cleaned message replaces the format and its arguments: handlers need not
        # format it again
        record.msg, record.args = scrub(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


_installed = False


def install_log_filter() -> None:
    """Mask personal numbers in every record, whatever logger or handler it goes through.

    A record factory sees each record once at creation, before any handler (gunicorn's
    included), so loggers created later are covered too."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()
    scrubber = PersonalDataFilter()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        scrubber.filter(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


# --- mobiles --------------------------------------------------------------------------------
def normalise_phone(value: str | None) -> str:
    """The 11 digits of a mainland mobile as people type it (spaces, dashes, +86 dropped)."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def phone_hash(number: str | None) -> str | None:
    """Keyed HMAC of a mobile number (the same key as ID numbers, another domain): equal numbers,
    equal hashes, so a search by phone finds the row without storing the number in clear."""
    if not number:
        return None
    return id_hash("phone:" + normalise_phone(number))


def protect_phone(number: str | None) -> tuple[str | None, str | None, str | None]:
    """(encrypted, keyed hash, masked) for a mobile number; all None for none."""
    if not number:
        return None, None, None
    return cipher().encrypt(number.encode()).decode(), phone_hash(number), mask_phone(number)


def reveal_phone(token: str | None) -> str | None:
    """The mobile number from its encrypted form (staff who handle the case need to call)."""
    if not token:
        return None
    try:
        return cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise IdKeyError("a mobile number cannot be decrypted with the configured ID_ENCRYPTION_KEYS") from None

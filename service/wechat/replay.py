"""Replayed plaintext callbacks are refused (issue 11 §6).

In plaintext mode WeChat signs only token + timestamp + nonce, not the body: whoever sees one signed
query (a proxy log, a browser history) could post any body with it for as long as the timestamp is
fresh. So a delivery that has side effects carries a *seal* — the (timestamp, nonce, signature)
with a digest of the body — and the seal is recorded in the same store and the same round trip as
the delivery's exactly-once claim (service/wechat/dedup.py: one Redis pipeline, or one more row in
the claim's ``INSERT … ON CONFLICT``). The same delivery again (WeChat's retry) is let through to
the de-duplication; another body under a seal already recorded is refused.

A keyword or menu reply (a pure handler) is public text and changes nothing, so it is answered
without any store: a forged body under a seen signature can get only the reply anyone gets by
sending that keyword. Safe mode needs no seal: its message signature covers the body.
"""
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

KEY_PREFIX = "s:"  # beside the claims' "m:" and "e:" keys (models/wechat.py:InboundMessage)


class Replayed(Exception):
    """This signature was already used with another body."""


@dataclass(frozen=True)
class Seal:
    key: str  # identifies the signed query
    digest: str  # of the body delivered with it
    seconds: int  # how long the query can be replayed: the timestamp window, either way

    def expires_at(self, now: datetime) -> datetime:
        """When the seal recorded at `now` can be forgotten."""
        return now + timedelta(seconds=self.seconds)


def seal_for(config, args, body: bytes) -> Seal:
    """The seal of a plaintext delivery: its signed query and the digest of its body."""
    signed = f"{args.get('timestamp', '')}\n{args.get('nonce', '')}\n{(args.get('signature') or '').lower()}"
    return Seal(key=KEY_PREFIX + hashlib.sha256(signed.encode()).hexdigest(),
                digest=hashlib.sha256(body).hexdigest(),
                seconds=2 * int(config["WECHAT_MAX_SKEW"]))


def check(seal: Seal, recorded: str | None) -> None:
    """A seal found already recorded: WeChat's retry of this delivery passes, another body raises."""
    if recorded is not None and recorded != seal.digest:
        raise Replayed()

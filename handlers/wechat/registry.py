"""Who answers what: handlers registered by message type, event, keyword or QR scene.

Modelled on WeRoBot's handler registry. A handler takes the wechatpy message and returns
the reply text (or None for no reply); ``dispatch`` picks the first that matches.

A handler marked ``@pure`` has no side effect and reads no database: the callback answers it at
once, without de-duplication (a retry simply gets the same reply again). Every other handler is
run exactly once per delivery (service/wechat/dedup.py), unless it is marked ``@idempotent_if`` and
its condition holds: then it is simply run (a retry runs it again). Unmarked means "has side effects".
"""
import re
from collections.abc import Callable

Handler = Callable[..., str | None]

_by_type: dict[str, Handler] = {}
_by_event: dict[str, Handler] = {}
_by_keyword: dict[str, Handler] = {}
_by_click: dict[str, Handler] = {}
_by_scene_prefix: dict[str, Handler] = {}
_fallback: list[Handler] = []


def on_message(msg_type: str):
    def register(fn: Handler) -> Handler:
        _by_type[msg_type] = fn
        return fn
    return register


def on_event(event: str):
    """wechatpy's event names: subscribe, unsubscribe, subscribe_scan, scan, click, view…"""
    def register(fn: Handler) -> Handler:
        _by_event[event] = fn
        return fn
    return register


def on_keyword(*keywords: str):
    """Keywords and their synonyms; a message that is exactly one of them, or (when it does not
    belong to an open request) contains one, is answered by `fn`."""
    def register(fn: Handler) -> Handler:
        for word in keywords:
            _by_keyword[normalise(word)] = fn
        return fn
    return register


def on_click(*keys: str):
    def register(fn: Handler) -> Handler:
        for key in keys:
            _by_click[key] = fn
        return fn
    return register


def on_scene(prefix: str):
    """Scene strings look like "fed:3" or "contest:7"; register by the part before ':'."""
    def register(fn: Handler) -> Handler:
        _by_scene_prefix[prefix] = fn
        return fn
    return register


def pure(fn: Handler) -> Handler:
    """Mark a handler as side-effect free (put it under the on_* decorators): a retry may simply
    run it again, so it is not claimed and runs in no transaction of its own. It may read (the
    read is rolled back, never committed); it must not write."""
    fn.pure = True
    return fn


def pure_first(peek: Callable[..., str | None]):
    """For a handler whose side effect happens only sometimes (chat text joins an open request;
    without one it is only answered): `peek(message)` reads, writes nothing, and answers the reply
    when there is nothing to change — the delivery is then answered as a pure one, with no claim and
    no transaction — or None, and the handler runs exactly once as usual."""
    def register(fn: Handler) -> Handler:
        fn.peek = peek
        return fn
    return register


def idempotent_if(condition: Callable[..., bool]):
    """For a handler whose only write is an idempotent one (service/wechat/writes.IdempotentWrite:
    a follow) when `condition(message)` holds: a retry may simply run it again, so such a delivery
    takes no exactly-once claim and stores no reply — one write, its replay seal included."""
    def register(fn: Handler) -> Handler:
        fn.idempotent = condition
        return fn
    return register


def is_idempotent(handler: Handler | None, message) -> bool:
    condition = getattr(handler, "idempotent", None)
    return condition is not None and condition(message)


def pure_reply(handler: Handler | None, message) -> str | None:
    """The reply of a handler's `peek` when the message changes nothing, else None."""
    peek = getattr(handler, "peek", None)
    return peek(message) if peek is not None else None


def is_pure(handler: Handler | None) -> bool:
    """No handler (no reply at all) is pure too: there is nothing to do twice."""
    return handler is None or getattr(handler, "pure", False)


def fallback(fn: Handler) -> Handler:
    _fallback.append(fn)
    return fn


def scene_handler(scene: str) -> tuple[Handler | None, str]:
    prefix, _, value = (scene or "").partition(":")
    return _by_scene_prefix.get(prefix), value


_NOISE = re.compile(r"[\s，。！？、；：,.!?;:~～…“”\"'（）()【】\[\]]+")


def normalise(text: str | None) -> str:
    """A typed message without spaces and punctuation, for comparing with keywords."""
    return _NOISE.sub("", text or "")[:200]


def exact_keyword(text: str | None) -> Handler | None:
    """The handler whose keyword (or synonym) is the whole message."""
    return _by_keyword.get(normalise(text))


def contained_keyword(text: str | None) -> Handler | None:
    """The handler whose keyword appears in the message, the longest keyword first
    ("老板拖欠工资三个月" → 拖欠工资)."""
    words = normalise(text)
    for word in sorted(_by_keyword, key=len, reverse=True):
        if word in words:
            return _by_keyword[word]
    return None


def find_handler(message) -> Handler | None:
    if message.type == "text":
        handler = exact_keyword(message.content)
        if handler:
            return handler
    if message.type == "event":
        if message.event == "click" and message.key in _by_click:
            return _by_click[message.key]
        if message.event in _by_event:
            return _by_event[message.event]
    elif message.type in _by_type:
        return _by_type[message.type]
    return _fallback[0] if _fallback else None


def dispatch(message) -> str | None:
    handler = find_handler(message)
    return handler(message) if handler else None

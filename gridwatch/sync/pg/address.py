"""Where a PostGIS shared project is: a ``postgresql://`` URL or a libpq ``service=NAME`` string, with
the district's schema as ``district=NAME`` (stripped before libpq sees it).

Credentials come from where every PostgreSQL client looks (``~/.pg_service.conf``, ``~/.pgpass``,
``PGPASSWORD``, ``PGUSER``...) or from a prompt; a password written in the address is used for that
connection only and never stored (:func:`public_address` is what a working copy keeps).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ...errors import SyncError

_URL = re.compile(r"^postgres(ql)?://", re.IGNORECASE)
_KEYWORDS = re.compile(r"^\s*(service|host|dbname|user|port)\s*=", re.IGNORECASE)
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")

#: Asks for a password when the usual places have none: (address shown to the user) -> password or None.
PasswordPrompt = Callable[[str], Optional[str]]

#: Seconds to wait for the server to answer (unless the address says ``connect_timeout``).
CONNECT_TIMEOUT = 15

#: The prompt :func:`connect` uses when its caller passes none (the command line sets one that asks on
#: the terminal; :func:`set_password_prompt`).  None: no prompt, the connection error is reported.
_default_prompt: Optional[PasswordPrompt] = None


def set_password_prompt(prompt: Optional[PasswordPrompt]) -> None:
    """Make ``prompt`` the one :func:`connect` asks when the usual places have no password."""
    global _default_prompt
    _default_prompt = prompt


def is_server_address(text: object) -> bool:
    """Whether ``text`` names a PostgreSQL server (URL or libpq keywords) rather than a file."""
    s = str(text)
    return bool(_URL.match(s) or _KEYWORDS.match(s))


@dataclass(frozen=True)
class Address:
    """A parsed server address: the libpq connection string and the district's schema (None: the
    database's only GridWatch district)."""

    conninfo: str
    district: Optional[str]
    public: str  # the address without a password: what a working copy stores, what messages show

    def with_district(self, district: str) -> "Address":
        return Address(self.conninfo, district, _set_district(self.public, district))


def _set_district(text: str, district: str) -> str:
    if _URL.match(text):
        parts = urlsplit(text)
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "district"]
        query.append(("district", district))
        return urlunsplit(parts._replace(query=urlencode(query)))
    words = [w for w in text.split() if not w.lower().startswith("district=")]
    return " ".join(words + [f"district={district}"])


def parse(text: str) -> Address:
    """Split ``text`` into a libpq connection string and the district (checked as a schema name)."""
    district: Optional[str] = None
    if _URL.match(text):
        parts = urlsplit(text)
        query = parse_qsl(parts.query, keep_blank_values=True)
        district = next((v for k, v in query if k == "district"), None)
        rest = urlencode([(k, v) for k, v in query if k != "district"])
        conninfo = urlunsplit(parts._replace(query=rest))
        netloc = parts.netloc
        if "@" in netloc and ":" in netloc.split("@", 1)[0]:
            user = netloc.split("@", 1)[0].split(":", 1)[0]
            netloc = user + "@" + netloc.split("@", 1)[1]
        public = urlunsplit(parts._replace(netloc=netloc))
    elif _KEYWORDS.match(text):
        words = text.split()
        district = next((w.split("=", 1)[1] for w in words if w.lower().startswith("district=")), None)
        conninfo = " ".join(w for w in words if not w.lower().startswith("district="))
        public = " ".join(w for w in words if not w.lower().startswith("password="))
    else:
        raise SyncError(f"{text}: not a PostgreSQL address (postgresql://HOST/DATABASE?district=NAME, or "
                        "service=NAME district=NAME)")
    if district is not None and not _SCHEMA_NAME.match(district):
        raise SyncError(f"{public}: district {district!r} is not a valid schema name (lower-case letters, digits "
                        "and _, starting with a letter)")
    return Address(conninfo, district, public)


#: Passwords given in this session (a prompt's answer, or written in an address opened), by server and
#: login (:func:`server_key`): kept in memory only, never written anywhere, so the session's later
#: connections to that server (the next sync, a refresh) do not ask again.
_SESSION: dict[str, str] = {}
_SESSION_LOCK = threading.Lock()
#: One prompt at a time: two connections that need the same password (a refresh beside a sync) ask once.
_ASKING = threading.Lock()


def server_key(address: str | Address) -> str:
    """The connection string of ``address`` without its password and district: one key per server,
    database and login."""
    addr = parse(address) if isinstance(address, str) else address
    return parse(addr.public).conninfo


def remember_password(address: str) -> None:
    """Keep a password written in ``address`` for this session's later connections to its server (the
    address itself is stored without it: :attr:`Address.public`)."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        addr = parse(address)
        password = conninfo_to_dict(addr.conninfo).get("password")
    except Exception:  # noqa: BLE001 - an address libpq cannot read: connecting will say so
        return
    if password:
        with _SESSION_LOCK:
            _SESSION[server_key(addr)] = str(password)


def forget_passwords() -> None:
    """Forget every password given in this session (the next connection asks again)."""
    with _SESSION_LOCK:
        _SESSION.clear()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


def _server_said(text: str) -> str:
    """What the server said in libpq's one line (``connection failed: ... failed: FATAL:  what``)."""
    return text.rsplit("FATAL:", 1)[-1].strip() if "FATAL:" in text else text


def _wants_password(text: str) -> bool:
    """Whether a refused connection is the server asking for a (right) password."""
    return "password" in text.lower()


def _unreachable(addr: Address, text: str, **kw: Any) -> SyncError:
    return SyncError(f"{addr.public}: cannot connect to the GridWatch server ({text}); your edits are safe on "
                     "this laptop, sync again when the server is reachable", **kw)


def connect(address: str | Address, *, prompt: Optional[PasswordPrompt] = None, ask: bool = True,
            autocommit: bool = False, **kw: Any) -> Any:
    """A psycopg connection to ``address``.

    The password comes from the usual places (service file, ``.pgpass``, ``PGPASSWORD``, the address);
    when the server asks for one they do not have, from this session's memory (a password given
    earlier for this server and login, :func:`server_key`), else from ``prompt`` (default: the one
    :func:`set_password_prompt` installed; ``ask=False``: none).  A prompted password that the server
    accepts is kept in memory for the session; one it refuses is forgotten.

    Raises SyncError with one line naming the server when it cannot be reached or refuses the login;
    ``key="pg.password_needed"`` when the server wants a password and there is no prompt to ask,
    ``key="pg.password_cancelled"`` when the prompt was cancelled (nothing was done),
    ``key="pg.password_refused"`` when the server refused the password given.
    """
    import psycopg

    addr = parse(address) if isinstance(address, str) else address
    prompt = None if not ask else prompt if prompt is not None else _default_prompt
    if "connect_timeout" not in addr.conninfo:
        kw.setdefault("connect_timeout", CONNECT_TIMEOUT)  # a laptop out of reach says so, not hangs

    def attempt(password: Optional[str]) -> Any:
        extra = {"password": password} if password is not None else {}
        return psycopg.connect(addr.conninfo, autocommit=autocommit, **extra, **kw)

    try:
        return attempt(None)
    except psycopg.OperationalError as exc:
        text = _first_line(exc)
    if not _wants_password(text):
        raise _unreachable(addr, text) from None
    key = server_key(addr)
    tried: set[str] = set()

    def from_memory() -> Any:
        """A connection with the password this session knows for ``key`` (None: none, or refused)."""
        nonlocal text
        with _SESSION_LOCK:
            known = _SESSION.get(key)
        if known is None or known in tried:
            return None
        tried.add(known)
        try:
            return attempt(known)
        except psycopg.OperationalError as exc2:
            text = _first_line(exc2)
            if not _wants_password(text):
                raise _unreachable(addr, text) from None
            with _SESSION_LOCK:
                if _SESSION.get(key) == known:
                    del _SESSION[key]  # changed on the server since: ask again
            return None

    con = from_memory()
    if con is not None:
        return con
    if prompt is None:
        raise _unreachable(addr, text, key="pg.password_needed", server=addr.public, reason=_server_said(text))
    with _ASKING:
        con = from_memory()  # another connection may have been given it while this one waited
        if con is not None:
            return con
        password = prompt(addr.public)
    if not password:
        raise SyncError(f"{addr.public}: no password given for the server, so nothing was done (your edits are "
                        "safe on this laptop)", key="pg.password_cancelled", server=addr.public)
    try:
        con = attempt(password)
    except psycopg.OperationalError as exc3:
        text = _first_line(exc3)
        refused = {"key": "pg.password_refused", "server": addr.public, "reason": _server_said(text)}
        raise _unreachable(addr, text, **(refused if _wants_password(text) else {})) from None
    with _SESSION_LOCK:
        _SESSION[key] = password
    return con

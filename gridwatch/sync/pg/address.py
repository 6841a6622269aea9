"""Where a PostGIS shared project is: a ``postgresql://`` URL or a libpq ``service=NAME`` string, with
the district's schema as ``district=NAME`` (stripped before libpq sees it).

Credentials come from where every PostgreSQL client looks (``~/.pg_service.conf``, ``~/.pgpass``,
``PGPASSWORD``, ``PGUSER``...) or from a prompt; a password written in the address is used for that
connection only and never stored (:func:`public_address` is what a working copy keeps).
"""

from __future__ import annotations

import re
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


def connect(address: str | Address, *, prompt: Optional[PasswordPrompt] = None, autocommit: bool = False,
            **kw: Any) -> Any:
    """A psycopg connection to ``address`` (credentials from the usual places, else ``prompt``).

    Raises SyncError with one line naming the server when it cannot be reached or refuses the login.
    """
    import psycopg

    addr = parse(address) if isinstance(address, str) else address
    prompt = prompt if prompt is not None else _default_prompt
    if "connect_timeout" not in addr.conninfo:
        kw.setdefault("connect_timeout", CONNECT_TIMEOUT)  # a laptop out of reach says so, not hangs
    try:
        return psycopg.connect(addr.conninfo, autocommit=autocommit, **kw)
    except psycopg.OperationalError as exc:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        if prompt is not None and "password" in text.lower():
            password = prompt(addr.public)
            if password:
                try:
                    return psycopg.connect(addr.conninfo, password=password, autocommit=autocommit, **kw)
                except psycopg.OperationalError as exc2:
                    text = str(exc2).strip().splitlines()[0]
        raise SyncError(f"{addr.public}: cannot connect to the GridWatch server ({text}); your edits are safe on "
                        "this laptop, sync again when the server is reachable") from None

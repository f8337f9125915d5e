"""Personal data: the pseudonymisation secret and customer pseudonyms.

BI marts never carry a phone number, an address, a handle or a name: dbt replaces each customer identifier by its
pseudonym, ``HMAC-SHA-256(secret, "<kind>:<normalised identifier>")`` in hex (macro ``pseudonym`` in
``dbt_project/macros/privacy.sql``). The secret never enters the warehouse: dbt's sessions receive it as two
session settings (``voc.pseudonym_ipad`` / ``voc.pseudonym_opad``, the HMAC key pads) through ``PGOPTIONS`` in dbt's
own environment, and only there.

The secret comes from ``VOC_PSEUDONYM_SECRET``, else from the file named by ``VOC_PSEUDONYM_SECRET_FILE`` (a Docker or
Kubernetes secret, an Airflow secrets backend's file), else, for the embedded warehouse only, from
``$VOC_HOME/secrets/pseudonym_secret``, generated once (mode 0600). A configured warehouse without a secret is an
error: a generated one would silently change every pseudonym on another machine.

Rotation: set the new secret and run the next build; every pseudonym changes in the same build (the marts are
rebuilt from raw), so a BI tool can no longer link a customer across the rotation. The erasure log keeps
``key_id`` (a fingerprint of the secret, not the secret) beside each pseudonym, so it stays readable after rotating.

Normalisation (the same rules as the dbt macro; ``tests/test_privacy.py`` proves both agree):

| kind | identifier | normalised |
|---|---|---|
| phone | caller number | E.164: digits only; ``+`` or ``00`` starts an international number; a national one loses one trunk ``0`` and gets ``VOC_PHONE_COUNTRY_CODE`` (default 34) |
| email | address | trimmed, lower case |
| chat | visitor id | trimmed |
| twitter | X user id | trimmed |
| facebook | Facebook user id | trimmed |
| web | feed author's name | lower case, runs of white space as one space, trimmed |
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from pathlib import Path

from voc.settings import Settings, get_settings

KINDS = ("phone", "email", "chat", "twitter", "facebook", "web")
BLOCK_SIZE = 64  # SHA-256's block: HMAC pads the key to it


class PrivacyError(RuntimeError):
    """The pseudonymisation secret is missing or unusable; the message says how to provide it."""


def secret_file(settings: Settings) -> Path:
    """Where the embedded warehouse's generated secret is kept."""
    return settings.home / "secrets" / "pseudonym_secret"


def pseudonym_secret(settings: Settings | None = None) -> bytes:
    """The pseudonymisation secret (see the module's docs for where it comes from)."""
    settings = settings or get_settings()
    if settings.pseudonym_secret:
        return settings.pseudonym_secret.encode()
    if settings.pseudonym_secret_file:
        path = Path(settings.pseudonym_secret_file)
        try:
            value = path.read_bytes().strip()
        except OSError as exc:
            raise PrivacyError(f"VOC_PSEUDONYM_SECRET_FILE {path} cannot be read: {exc.strerror}") from exc
        if not value:
            raise PrivacyError(f"VOC_PSEUDONYM_SECRET_FILE {path} is empty")
        return value
    if settings.warehouse_url:
        raise PrivacyError(
            "no pseudonymisation secret: set VOC_PSEUDONYM_SECRET (or VOC_PSEUDONYM_SECRET_FILE) for the configured "
            "warehouse; keep it outside the warehouse, e.g. in your secrets backend"
        )
    path = secret_file(settings)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.parent.chmod(0o700)
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_bytes().strip()


def key_pads(secret: bytes) -> tuple[str, str]:
    """HMAC-SHA-256's inner and outer key pads in hex (RFC 2104): the warehouse computes the HMAC from them with its
    built-in sha256()."""
    key = hashlib.sha256(secret).digest() if len(secret) > BLOCK_SIZE else secret
    key = key.ljust(BLOCK_SIZE, b"\0")
    return bytes(b ^ 0x36 for b in key).hex(), bytes(b ^ 0x5C for b in key).hex()


def session_options(settings: Settings | None = None) -> str:
    """``PGOPTIONS`` for dbt's sessions: the key pads as session settings."""
    inner, outer = key_pads(pseudonym_secret(settings))
    return f"-c voc.pseudonym_ipad={inner} -c voc.pseudonym_opad={outer}"


def key_id(secret: bytes) -> str:
    """A fingerprint of the secret (not reversible): which secret a pseudonym was made with."""
    return hmac.new(secret, b"voc pseudonym key id", hashlib.sha256).hexdigest()[:16]


def normalise(kind: str, identifier: str, country_code: str = "34") -> str | None:
    """An identifier in the form that is pseudonymised (None when nothing is left of it)."""
    if kind not in KINDS:
        raise ValueError(f"unknown identifier kind {kind!r}: one of {', '.join(KINDS)}")
    value = identifier.strip(" ")  # PostgreSQL's btrim: spaces only
    if kind == "phone":
        international = value.startswith(("+", "00"))
        digits = re.sub(r"\D", "", value)
        if value.startswith("00"):
            digits = digits[2:]
        if not international:
            digits = digits.removeprefix("0")
            digits = country_code + digits if digits else ""
        return "+" + digits if digits else None
    if kind == "email":
        value = value.lower()
    elif kind == "web":
        value = " ".join(re.split(r"[ \t\n\r\f\v]+", value.lower())).strip(" ")
    return value or None


def pseudonym(kind: str, identifier: str, secret: bytes, country_code: str = "34") -> str | None:
    """The pseudonym dbt gives this identifier."""
    normalised = normalise(kind, identifier, country_code)
    if normalised is None:
        return None
    return hmac.new(secret, f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()

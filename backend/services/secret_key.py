"""The key that signs login cookies and share grants: refused when it is a placeholder shipped
in the repository or too short to be random; on a "local" instance without a key of its own,
generated once and kept in the data directory (``secret_key``, mode 0600).

A key must carry at least 256 bits as estimated from its length and alphabet (e.g.
``python -c "import secrets; print(secrets.token_urlsafe(32))"``: 43 characters)."""

from __future__ import annotations

import math
import os
import secrets
import string
from pathlib import Path

from backend.exceptions import ValidationError
from backend.services.file_roots import SECRET_KEY_FILE

# Every placeholder the repository ships (config default, .env.example, docs), lower-cased.
PLACEHOLDERS = frozenset(
    {"change-me", "change-me-to-a-long-random-string", "changeme", "secret", "secret-key"}
)
PLACEHOLDER_MARKS = ("change-me", "changeme", "change_me")
MIN_BITS = 256
MIN_DISTINCT = 10
_URLSAFE = set(string.ascii_letters + string.digits + "-_=")
HOW = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


def estimated_bits(key: str) -> float:
    """A generous estimate of a key's entropy: length × log2(size of its alphabet)."""
    chars = set(key)
    if chars <= set(string.hexdigits):
        alphabet = 16
    elif chars <= _URLSAFE:
        alphabet = 64
    else:
        alphabet = 94
    return len(key) * math.log2(alphabet)


def weakness(key: str) -> str | None:
    """Why ``key`` may not sign cookies (None: it may)."""
    lowered = key.strip().lower()
    if lowered in PLACEHOLDERS or any(mark in lowered for mark in PLACEHOLDER_MARKS):
        return "it is a placeholder from the repository"
    if estimated_bits(key) < MIN_BITS or len(set(key)) < MIN_DISTINCT:
        return "it is shorter than 32 random bytes"
    return None


def local_key(data_dir: Path) -> str:
    """The data directory's generated key (created with mode 0600 on first use)."""
    path = Path(data_dir).expanduser() / SECRET_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        path.chmod(0o600)
        return path.read_text().strip()
    with os.fdopen(fd, "w") as file:
        file.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def resolve(*, access: str, secret_key: str, data_dir: Path) -> str:
    """The key this instance signs with; ``ValidationError`` for a weak key on a public or
    private instance, the generated key on a local one whose key is weak or unset."""
    problem = weakness(secret_key)
    if problem is None:
        return secret_key
    if access == "local":
        return local_key(data_dir)
    raise ValidationError(
        f"a {access} instance needs its own SCALESCOPE_SECRET_KEY: the one set is refused "
        f"because {problem} (make one with {HOW})"
    )

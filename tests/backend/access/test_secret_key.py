"""High (issue 13): the example secret key started a private instance. Every placeholder shipped
in the repository and every key under 32 random bytes is refused; a local instance generates
its own key in the data directory (mode 0600)."""

from __future__ import annotations

import base64
import random
import stat
import uuid

import pytest

from app.main import create_app
from backend.config import get_settings
from backend.exceptions import ValidationError
from backend.services.secret_key import PLACEHOLDERS, weakness
from tests.conftest import REPO


def _shipped_keys() -> set[str]:
    """Every secret key value the repository ships (.env.example, compose), plus the default."""
    found = {"change-me", "change-me-to-a-long-random-string"}
    for path in (REPO / ".env.example", REPO / "docker-compose.yml"):
        for line in path.read_text().splitlines():
            if "SCALESCOPE_SECRET_KEY" in line and "=" in line:
                value = line.split("=", 1)[1].split("#", 1)[0].strip().strip("\"'")
                if value and not value.startswith("$"):
                    found.add(value)
    return found


# Random-looking keys from a seeded generator: the same at every collection (xdist's workers
# must collect identical parameters), as random as a key made by secrets.
_RANDOM = random.Random(20261206)
WEAK = [
    *sorted(_shipped_keys()),
    "",
    "a-test-secret-key-of-some-length",
    uuid.UUID(int=_RANDOM.getrandbits(128)).hex,  # 128 bits
    base64.urlsafe_b64encode(_RANDOM.randbytes(16)).decode().rstrip("="),  # 128 bits
    "x" * 80,
]
STRONG = [
    base64.urlsafe_b64encode(_RANDOM.randbytes(32)).decode().rstrip("="),  # token_urlsafe(32)
    _RANDOM.randbytes(32).hex(),  # token_hex(32)
]


@pytest.fixture
def with_key(monkeypatch, tmp_path):
    def use(key: str | None) -> None:
        monkeypatch.setenv("SCALESCOPE_DATA_DIR", str(tmp_path / "data"))
        if key is None:
            monkeypatch.delenv("SCALESCOPE_SECRET_KEY", raising=False)
        else:
            monkeypatch.setenv("SCALESCOPE_SECRET_KEY", key)
        get_settings.cache_clear()

    yield use
    get_settings.cache_clear()


@pytest.mark.parametrize("access", ["public", "private"])
@pytest.mark.parametrize("key", WEAK)
def test_weak_and_placeholder_keys_are_refused(sqlite_url, with_key, access, key):
    with_key(key)
    with pytest.raises(ValidationError, match="needs its own SCALESCOPE_SECRET_KEY"):
        create_app(sqlite_url, access=access, dashboard=False)


@pytest.mark.parametrize("key", STRONG)
def test_random_keys_of_32_bytes_are_accepted(sqlite_url, with_key, key):
    with_key(key)
    assert weakness(key) is None
    assert create_app(sqlite_url, access="private", dashboard=False).state.secret_key == key


def test_placeholders_are_all_refused():
    assert all(weakness(key) for key in PLACEHOLDERS)


def test_a_local_instance_generates_its_own_key(sqlite_url, with_key, tmp_path):
    with_key(None)
    first = create_app(sqlite_url, access="local", dashboard=False).state.secret_key
    key_file = tmp_path / "data" / "secret_key"
    assert key_file.read_text().strip() == first and weakness(first) is None
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert create_app(sqlite_url, access="local", dashboard=False).state.secret_key == first

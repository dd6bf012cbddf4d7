"""The Redis server of the tests that need one: 127.0.0.1:6379, database 14. Without it those
tests are skipped, except on CI, where they fail."""

from __future__ import annotations

import os
from typing import Any

import pytest

REDIS_URL = "redis://127.0.0.1:6379/14"


def require_redis() -> Any:
    """A client of the tests' Redis database, or the test is skipped (failed on CI)."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required on CI: {exc}")
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    return client

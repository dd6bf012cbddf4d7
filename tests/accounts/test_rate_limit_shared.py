"""With MEETAPP_REDIS_URL set, the rate limits are counted in Redis, so every worker process
sees the same count: failed logins spread over two processes are limited together.

Two separate Python processes stand for two gunicorn workers. They need Redis on
127.0.0.1:6379 (database 14; the test's counters carry a key prefix of their own, removed
afterwards); without it the test is skipped, except on CI, where it fails.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.redis_server import REDIS_URL, require_redis

# One "worker": the production app on a shared SQLite file, posting wrong passwords, then
# printing the status of one more attempt with the right password.
WORKER = textwrap.dedent(
    """
    import sys
    from config import ProductionConfig
    from meetapp import create_app
    from meetapp.extensions import db
    from meetapp.models import User

    # The counters of this test only, whatever else uses the Redis database meanwhile.
    app = create_app(type("Worker", (ProductionConfig,), {"RATELIMIT_KEY_PREFIX": sys.argv[2]}))
    app.config.update(
        WTF_CSRF_ENABLED=False,
        LOGIN_RATE_LIMIT="3 per minute",
        PASSWORD_HASH_METHOD="scrypt:2048:8:1",
    )
    with app.app_context():
        if sys.argv[1] == "setup":
            db.create_all()
            user = User(email="desk@example.org", name="Desk", role="staff")
            user.set_password("right password")
            db.session.add(user)
            db.session.commit()
            sys.exit(0)
    client = app.test_client()
    for _ in range(int(sys.argv[1])):
        status = client.post(
            "/login", data={"email": "desk@example.org", "password": "wrong"}
        ).status_code
        assert status == 200, status
    print(
        client.post(
            "/login", data={"email": "desk@example.org", "password": "right password"}
        ).status_code
    )
    """
)


def _worker(tmp_path: Path, argument: str, prefix: str = "") -> str:
    environment = {
        **os.environ,
        "MEETAPP_CONFIG": "production",
        "MEETAPP_SECRET_KEY": "a-secret-key-for-two-workers-0123456789",
        "MEETAPP_PUBLIC_BASE_URL": "https://meet.example.org",
        "MEETAPP_DATABASE_URL": f"sqlite:///{tmp_path / 'shared.db'}",
        "MEETAPP_INSTANCE_PATH": str(tmp_path),
        "MEETAPP_REDIS_URL": REDIS_URL,
    }
    environment.pop("MEETAPP_TEST_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", WORKER, argument, prefix],
        env=environment,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


@pytest.mark.slow
def test_failed_logins_in_two_workers_are_counted_together(tmp_path: Path) -> None:
    redis = require_redis()
    prefix = f"meetapp-test-{secrets.token_hex(8)}"
    try:
        _worker(tmp_path, "setup", prefix)
        # One worker sees two failed attempts of the three allowed; the person may still log in.
        assert _worker(tmp_path, "2", prefix) == "302"
        # The count lives in Redis, not in that process.
        assert list(redis.scan_iter(f"*{prefix}*"))
        # Another worker sees one failure only, yet refuses the next attempt: the limit
        # counted all three, wherever they came in. (Counted per process, it would be 302.)
        assert _worker(tmp_path, "1", prefix) == "429"
    finally:
        for key in redis.scan_iter(f"*{prefix}*"):
            redis.delete(key)

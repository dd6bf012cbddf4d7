"""Behind a trusted reverse proxy, rate limits count the visitor's address, not the proxy's."""

from __future__ import annotations

from config import TestingConfig
from meetapp import create_app


def test_proxy_fix_uses_forwarded_address(database_url: str) -> None:
    config = type(
        "ProxyConfig",
        (TestingConfig,),
        {"SQLALCHEMY_DATABASE_URI": database_url, "PROXY_FIX": 1},
    )
    app = create_app(config)
    seen: list[str | None] = []

    @app.get("/_remote")
    def _remote() -> str:
        from flask import request

        seen.append(request.remote_addr)
        return "ok"

    app.test_client().get("/_remote", headers={"X-Forwarded-For": "203.0.113.7"})
    assert seen == ["203.0.113.7"]

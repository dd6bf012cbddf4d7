"""gunicorn settings for meetapp: `gunicorn -c deploy/gunicorn.conf.py`.

Environment: MEETAPP_BIND (127.0.0.1:8000), MEETAPP_WORKERS (2 per core), MEETAPP_TIMEOUT
(seconds a request may take, 30), MEETAPP_ACCESS_LOG (a file, "-" for standard output).
The app is built once, in the master (preload_app), and the workers are forked from it: a
worker that is replaced (max_requests) starts at once instead of building the app again, while
the others carry its load. Each worker then opens its own database connections (post_fork).
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

wsgi_app = "meetapp:create_app()"
bind = os.environ.get("MEETAPP_BIND") or "127.0.0.1:8000"
workers = int(os.environ.get("MEETAPP_WORKERS") or 2 * multiprocessing.cpu_count())
worker_class = "sync"
preload_app = True
# PDFs of large meetings (a sign-in sheet of thousands of names) take longer than a page.
timeout = int(os.environ.get("MEETAPP_TIMEOUT") or 120)
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests, which bounds slow memory growth.
max_requests = 10000
max_requests_jitter = 1000
accesslog = os.environ.get("MEETAPP_ACCESS_LOG") or "-"
errorlog = "-"
loglevel = "info"
# Only the local reverse proxy may set X-Forwarded-* (see MEETAPP_PROXY_FIX).
forwarded_allow_ips = "127.0.0.1"


def post_fork(server: Any, worker: Any) -> None:
    """A forked worker must not use database connections opened before the fork."""
    from meetapp.database import forget_connections

    forget_connections(server.app.wsgi())

"""gunicorn settings for meetapp: `gunicorn -c deploy/gunicorn.conf.py`.

Environment: MEETAPP_BIND (127.0.0.1:8000), MEETAPP_WORKERS (2 per core), MEETAPP_TIMEOUT
(seconds a request may take, 30), MEETAPP_ACCESS_LOG (a file, "-" for standard output).
The app is built in each worker (no preload): every worker has its own database pool.
"""

from __future__ import annotations

import multiprocessing
import os

wsgi_app = "meetapp:create_app()"
bind = os.environ.get("MEETAPP_BIND") or "127.0.0.1:8000"
workers = int(os.environ.get("MEETAPP_WORKERS") or 2 * multiprocessing.cpu_count())
worker_class = "sync"
preload_app = False
# PDFs of large meetings (a sign-in sheet of thousands of names) take longer than a page.
timeout = int(os.environ.get("MEETAPP_TIMEOUT") or 120)
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests, which bounds slow memory growth.
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("MEETAPP_ACCESS_LOG") or "-"
errorlog = "-"
loglevel = "info"
# Only the local reverse proxy may set X-Forwarded-* (see MEETAPP_PROXY_FIX).
forwarded_allow_ips = "127.0.0.1"

"""gunicorn settings for meetapp: `gunicorn -c deploy/gunicorn.conf.py`.

Environment: MEETAPP_BIND (127.0.0.1:8000), MEETAPP_WORKERS (2 per core), MEETAPP_TIMEOUT
(seconds a request may take, 120), MEETAPP_ACCESS_LOG (a file, "-" for standard output).
The app is built once, in the master (preload_app), and the workers are forked from it: a
worker that is replaced (max_requests) starts at once instead of building the app again, while
the others carry its load. Each worker then opens its own database connections (post_fork).

The logs never record a personal link's token: `/s/<token>` (survey) and `/r/<token>`
(registration) are logged as `/s/…` and `/r/…`, in the access log and in gunicorn's error log
(PersonalLinkRedactingLogger), as in the app's own error log (see meetapp.tokens). A token is a
credential, and the time at which a survey link was used must not be kept where it could be
set beside an anonymous survey's answers.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

from gunicorn.glogging import Logger

from meetapp.tokens import PersonalLinkRedactingFilter, redact_personal_links


class PersonalLinkRedactingLogger(Logger):
    """gunicorn's logger, whose access-log atoms and error-log records hold no personal-link
    token."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if not any(isinstance(f, PersonalLinkRedactingFilter) for f in self.error_log.filters):
            self.error_log.addFilter(PersonalLinkRedactingFilter())

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact_personal_links(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }


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
logger_class = PersonalLinkRedactingLogger
errorlog = "-"
loglevel = "info"
# Only the local reverse proxy may set X-Forwarded-* (see MEETAPP_PROXY_FIX).
forwarded_allow_ips = "127.0.0.1"


def post_fork(server: Any, worker: Any) -> None:
    """A forked worker must not use database connections opened before the fork."""
    from meetapp.database import forget_connections

    forget_connections(server.app.wsgi())

"""The production server: gunicorn, WhiteNoise serving the static files, PostgreSQL.

    make serve          (migrate, collectstatic, then this)
    .venv/bin/gunicorn -c gunicorn.conf.py

Production mode is on (JIUZHU_PRODUCTION=1): without DATABASE_URL and the keys the
server does not start and says which are missing. Every value below can be set from
the environment; docs/deploy.md explains them."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings")
os.environ.setdefault("JIUZHU_PRODUCTION", "1")

from jiuzhu import production  # noqa: E402 - after the path is set

if os.environ["JIUZHU_PRODUCTION"] == "1" and (_problems := production.problems(os.environ)):
    sys.exit(production.message(_problems))

wsgi_app = "jiuzhu.wsgi:application"
bind = os.environ.get("JIUZHU_BIND", "127.0.0.1:8000")
# Sync workers: each request holds one worker and one database connection, so the
# worker count bounds the connections PostgreSQL must accept (max_connections).
workers = int(os.environ.get("JIUZHU_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
# A large ledger export runs inside the request until it moves to the job queue.
timeout = int(os.environ.get("JIUZHU_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never grows unbounded.
max_requests = int(os.environ.get("JIUZHU_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Settings load once in the master: a configuration error stops the server at start.
preload_app = True
# Behind nginx on the same host: trust its X-Forwarded-* headers only.
forwarded_allow_ips = os.environ.get("JIUZHU_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs to stdout/stderr (systemd's journal or the container's log). The access
# line holds the request line with its query string, hence the masking logger.
accesslog = os.environ.get("JIUZHU_ACCESS_LOG", "-")
errorlog = os.environ.get("JIUZHU_ERROR_LOG", "-")
loglevel = os.environ.get("JIUZHU_GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
logger_class = "jiuzhu.gunicorn_logger.MaskingLogger"
# No control socket (recent gunicorn versions): its one fixed path per user would collide between
# several servers on one host (a second site, the load benchmark).
control_socket_disable = True

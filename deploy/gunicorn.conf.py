"""gunicorn settings for Harbour: `gunicorn -c deploy/gunicorn.conf.py backend.config.wsgi`."""

import multiprocessing
import os

bind = os.environ.get("HARBOUR_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("HARBOUR_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("HARBOUR_THREADS", "2"))
timeout = 30
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
# No gunicorn access log: its request line would carry personal feed secrets.
# Harbour's own middleware writes one redacted access line per request.
accesslog = None
forwarded_allow_ips = os.environ.get("HARBOUR_FORWARDED_ALLOW_IPS", "127.0.0.1")

"""gunicorn settings for production (the Dockerfile and the bench use them)."""

import os

bind = os.getenv("GUNICORN_BIND", "0.0.0.0:8000")
# Synchronous workers: each request is short, and SQLite takes one writer at a time.
workers = int(os.getenv("GUNICORN_WORKERS", "3"))
threads = int(os.getenv("GUNICORN_THREADS", "1"))
timeout = int(os.getenv("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
max_requests = 2000
max_requests_jitter = 200
# Access lines are left to the proxy in front; failed requests are logged by Django.
accesslog = os.getenv("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
forwarded_allow_ips = os.getenv("FORWARDED_ALLOW_IPS", "127.0.0.1")

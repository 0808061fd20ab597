"""The container's health check: is the web server answering at all?

/healthz answers 503 when the worker is down; that is for uptime monitors. Here any
answer from Django means the web process is alive. It asks with the first allowed
host name, as a proxy would.
"""

import http.client
import os
import sys

host = os.getenv("DJANGO_ALLOWED_HOSTS", "localhost").split(",")[0].strip() or "localhost"
connection = http.client.HTTPConnection("127.0.0.1", 8000, timeout=4)
try:
    connection.request("GET", "/healthz", headers={"Host": host})
    status = connection.getresponse().status
except OSError as error:
    sys.exit(f"no answer: {error}")
sys.exit(0 if status in (200, 503) else f"answered {status}")

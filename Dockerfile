# Workout Log: web (gunicorn) and worker (django-q2) from one image.
#   docker compose up -d      (see compose.yaml and the README)
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    WORKOUT_DATA_DIR=/data

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app
COPY requirements.txt .
# The lock: every package pinned and checked against its hash.
RUN pip install --no-compile --require-hashes -r requirements.txt

COPY --chown=app:app . .
# Static files are built into the image: whitenoise serves them, hashed and compressed.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && mkdir -p /data && chown app:app /data

USER app
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD ["python", "bin/healthcheck.py"]

# The web container migrates first; the worker waits for it (compose.yaml).
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py ensure_login && exec gunicorn workoutsite.wsgi"]

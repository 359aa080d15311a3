# The production image: gunicorn serving project.wsgi, static files collected and served by
# WhiteNoise, running as an unprivileged user. docker-compose.yml runs web, worker and beat from it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# collectstatic reads the settings, which refuse to load with DEBUG off and no secret key; this
# throwaway key exists only for this build step and is not kept in the image's environment.
RUN DEBUG=False SECRET_KEY=collectstatic-only-build-step ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --noinput \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin app \
    && mkdir -p var \
    && chown -R app:app var

USER app

ENV DEBUG=False
EXPOSE 8000

# WEB_CONCURRENCY sets gunicorn's number of workers.
CMD ["gunicorn", "project.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--forwarded-allow-ips", "*"]

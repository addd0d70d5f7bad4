# polycorpus runtime image.
#
# One image for the Ray head, the Ray workers and the job submitter: Ray requires the
# driver and every worker to run the same Python, Ray and polycorpus versions, and a
# single image is the simplest way to guarantee that.
#
#   docker build -t polycorpus .
#   docker-compose up -d --build        # see docker-compose.yml
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RAY_USAGE_STATS_ENABLED=0

# ray[default] adds the dashboard and the Jobs API (`ray job submit`), ray[client] the
# Ray Client server (ray://); the project itself depends only on ray[data]. Keep this
# equal to the ray pin in pyproject.toml (tests/test_deploy.py checks it).
ARG RAY_VERSION=2.60.0

# Every dependency has a manylinux wheel, so no compiler is needed. A non-root user
# runs Ray; /opt/polycorpus is its working directory so relative run dirs work.
RUN useradd --create-home --uid 1000 polycorpus \
    && install -d -o polycorpus -g polycorpus /opt/polycorpus
WORKDIR /opt/polycorpus

# Dependencies first, from pyproject.toml alone, so editing the code does not
# reinstall Ray and pyarrow on every build.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt "ray[default,client]==${RAY_VERSION}" \
    && rm /tmp/requirements.txt

# The project (and examples/, so the bundled quickstart runs on every node).
COPY --chown=polycorpus:polycorpus . .
RUN pip install . && polycorpus --help > /dev/null

USER polycorpus
# 6379: GCS (workers join here), 8265: dashboard + Jobs API, 10001: Ray Client (ray://).
EXPOSE 6379 8265 10001
CMD ["polycorpus", "--help"]

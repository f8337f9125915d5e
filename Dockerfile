# The platform's image: the locked environment (Airflow with the Celery provider, dbt, GX, the voc package), the
# project files and the dbt manifest and node list the transform DAG is rendered from (built here, so every container has it).
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/voc/.venv \
    PATH=/opt/voc/.venv/bin:$PATH \
    VOC_PROJECT_ROOT=/opt/voc/app

RUN pip install --no-cache-dir uv && useradd --create-home --uid 50000 airflow
WORKDIR /opt/voc/app
COPY pyproject.toml uv.lock README.md ./
COPY plugins ./plugins
RUN uv sync --frozen --no-dev --compile-bytecode  # every process (DAG parses, dbt, tasks) imports from bytecode
COPY dags ./dags
COPY dbt_project ./dbt_project
COPY data ./data
COPY expectations ./expectations
RUN VOC_HOME=/tmp/voc-build voc manifest && rm -rf /tmp/voc-build
RUN mkdir -p /opt/voc/airflow/logs /opt/voc/state /opt/voc/app/expectations/uncommitted && chown -R airflow /opt/voc
USER airflow

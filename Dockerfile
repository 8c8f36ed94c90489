FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY engine engine
COPY workflows workflows
COPY web web
COPY bpmn bpmn
RUN pip install --no-cache-dir .
EXPOSE 8000

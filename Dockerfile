# atsmock in one container: every vendor mock, the embedded S3 and the admin API on port 8000.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY mockservers ./mockservers
COPY contracts ./contracts
COPY client ./client
RUN pip install --no-cache-dir .
EXPOSE 8000
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=10 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/__admin/health', timeout=2).status != 200)"]
ENTRYPOINT ["atsmock"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]

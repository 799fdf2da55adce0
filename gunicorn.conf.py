"""gunicorn settings shared by ``make run``, the benchmarks and production (gunicorn reads this file from the
working directory; command-line flags such as --bind and --workers override it)."""

workers = 2
threads = 4  # gthread workers: a slow PDF does not block the worker's other requests
timeout = 120  # the longest request is a whole-feeder PDF
# Keep idle client connections longer than a user's pause between clicks (and than the reverse proxy's
# upstream keep-alive): with gunicorn's 2 s default a request sent as the server closes an idle connection
# fails with "connection reset" (seen once in 5,000 requests of the 100-user benchmark).
keepalive = 5

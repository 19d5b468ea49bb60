"""gunicorn settings shared by the production web process (scripts/serve-web) and the
benchmarks (bench/http_load.py)."""

import gc


def post_worker_init(worker):
    # What the worker loaded (settings, URL patterns, models, templates) lives as long as the
    # worker: keep it out of every later garbage collection pass.
    gc.collect()
    gc.freeze()

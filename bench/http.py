"""Benchmark over HTTP: the service under gunicorn, 32 clients looping start -> list -> complete.

Each client holds one persistent HTTP/1.1 connection (reopened whenever the server closes it, as
gunicorn's sync workers do after every response) and loops over /engine-rest: start an `approval`
instance, list its task, complete it. Run against PostgreSQL and then SQLite, each in a fresh,
migrated database; warm-up iterations are not measured. Prints per endpoint requests, req/s, p50,
p95, p99 and errors, completions/s, and whether issue 18's targets are met on PostgreSQL.
Usage: python bench/http.py [--requests N] [--seconds S] [--workers W] [--databases postgresql,sqlite] [--json]
"""
from __future__ import annotations

import sys
from pathlib import Path

# This file is named `http`: run as a script, its folder would come first on sys.path and shadow
# the standard library's `http` package for everything imported after (http.client, requests, Flask).
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from contextlib import contextmanager  # noqa: E402

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from engine import EngineConfig  # noqa: E402
from engine.runtime import InstanceQuery  # noqa: E402
from web.composition import build_engine, upgrade_database  # noqa: E402

ROOT = HERE.parent
MODEL = ROOT / "tests" / "fixtures" / "approval.bpmn"
REST = "/engine-rest"
START_BODY = json.dumps({"variables": {"reviewDue": {"value": "2025-08-08", "type": "String"},
                                       "unitName": {"value": "Phòng Tổng hợp", "type": "String"}}}).encode()
ANSWER_BODY = json.dumps({"variables": {"approved": {"value": True, "type": "Boolean"},
                                        "score": {"value": 80, "type": "Long"},
                                        "comment": {"value": "Đồng ý", "type": "String"}}}).encode()
ENDPOINTS = ("start", "list", "complete")
PORTS = range(18600, 18651)  # the loopback ports this benchmark may take
TARGETS = {"completions_per_s": 300.0, "p95_ms": 50.0, "errors": 0}
LABELS = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


def listening_socket() -> socket.socket:
    """A socket bound and listening on the first free port of PORTS, handed to gunicorn as an open
    file descriptor: no other process can take the port between our choosing it and gunicorn's bind."""
    for port in PORTS:
        sock = socket.socket()
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            continue
        sock.listen(256)
        sock.set_inheritable(True)
        return sock
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


@contextmanager
def gunicorn(database_url: str, workdir: Path, workers: int, threads: int):
    """`gunicorn -c python:web.composition` as docker-compose.yml runs it (and as
    tests/reliability/servers.py does), in its own process group; yields the port."""
    sock = listening_socket()
    port = sock.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": database_url, "THIDUA_SECRET_KEY": "bench-http-secret-key-0123456789",
           "THIDUA_ATTACHMENTS_DIR": str(workdir / "attachments"), "PYTHONPATH": str(ROOT)}
    env.pop("SMTP_HOST", None)
    log = workdir / f"gunicorn-{port}.log"
    with open(log, "ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:web.composition", "--workers", str(workers),
             "--threads", str(threads), "--bind", f"fd://{sock.fileno()}", "--timeout", "60",
             "web.app:create_app()"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
            pass_fds=(sock.fileno(),))
    sock.close()
    try:
        deadline = time.monotonic() + 60
        while not healthy(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield port
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def healthy(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/health")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def seed(database_url: str) -> str:
    """Migrates as `thidua db upgrade` does, deploys the model, and returns an officer's API token."""
    upgrade_database(database_url)
    engine = build_engine(EngineConfig(database_url=database_url))
    try:
        engine.repository.deploy([(MODEL.name, MODEL.read_bytes())])
        engine.identity.ensure_group("tchcqt", "Phòng TCHCQT", "role")
        engine.identity.create_user("officer", "Phạm Thu Hà", groups=["tchcqt"])
        return engine.identity.create_token("officer", "bench-http")
    finally:
        engine.close()


def completed_instances(database_url: str) -> int:
    engine = build_engine(EngineConfig(database_url=database_url))
    try:
        return engine.runtime.count_instances(InstanceQuery(status="completed"))
    finally:
        engine.close()


class Client:
    """One keep-alive connection; records (endpoint, seconds, ok) for the measured iterations."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.samples: dict[str, list[float]] = {name: [] for name in ENDPOINTS}
        self.errors: dict[str, int] = dict.fromkeys(ENDPOINTS, 0)
        self.first_error: str | None = None
        self.recording = False

    def call(self, endpoint: str, method: str, path: str, body: bytes | None, expected: int):
        began = time.perf_counter()
        try:
            self.connection.request(method, REST + path, body=body, headers=self.headers)
            response = self.connection.getresponse()
            data = response.read()
            ok, status = response.status == expected, response.status
        except (OSError, http.client.HTTPException) as err:
            self.connection.close()  # the next request opens a new connection
            data, ok, status = str(err).encode(), False, err.__class__.__name__
        elapsed = time.perf_counter() - began
        if self.recording:
            self.samples[endpoint].append(elapsed)
            if not ok:
                self.errors[endpoint] += 1
        if not ok and self.first_error is None:
            self.first_error = f"{method} {path}: {status} {data[:300].decode(errors='replace')}"
        return data if ok else None

    def iteration(self) -> bool:
        """One start -> list -> complete; False (and an error counted) at the first step that fails.
        Never raises: a client thread that died would leave the others waiting for it."""
        endpoint = "start"
        try:
            started = self.call(endpoint, "POST", "/process-definition/key/approval/start", START_BODY, 200)
            if started is None:
                return False
            endpoint = "list"
            listed = self.call(endpoint, "GET", f"/task?processInstanceId={json.loads(started)['id']}", None, 200)
            if listed is None:
                return False
            [task] = json.loads(listed)  # the instance's one open task, or an error
            endpoint = "complete"
            return self.call(endpoint, "POST", f"/task/{task['id']}/complete", ANSWER_BODY, 204) is not None
        except (ValueError, KeyError, TypeError) as err:  # an answer that is not what the API promises
            if self.recording:
                self.errors[endpoint] += 1
            self.first_error = self.first_error or f"{endpoint}: {err.__class__.__name__}: {err}"
            return False


def load(port: int, token: str, clients: int, iterations: int, seconds: float, warmup: int) -> dict:
    """`clients` threads, each `warmup` unmeasured iterations, then together `iterations` measured
    ones, or as many as fit in `seconds`."""
    pool = [Client(port, token) for _ in range(clients)]
    remaining, lock = [iterations], threading.Lock()
    ready = threading.Barrier(clients + 1)
    window: dict[str, float] = {}
    completions, warm = [0] * clients, [0] * clients

    def take() -> bool:
        with lock:
            if remaining[0] <= 0 or time.perf_counter() > window["deadline"]:
                return False
            remaining[0] -= 1
            return True

    def run(index: int) -> None:
        client = pool[index]
        for _ in range(warmup):
            warm[index] += client.iteration()
        ready.wait()
        client.recording = True
        while take():
            completions[index] += client.iteration()
        client.connection.close()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    window["deadline"] = math.inf
    ready.wait()
    began, cpu = time.perf_counter(), time.process_time()
    window["deadline"] = began + seconds
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    # How much of a core the load generator took itself: the server's share of a 2-core machine is the rest.
    client_cores = round((time.process_time() - cpu) / elapsed, 2)
    figures = {name: summary([s for c in pool for s in c.samples[name]], sum(c.errors[name] for c in pool), elapsed)
               for name in ENDPOINTS}
    figures["all"] = summary([s for c in pool for n in ENDPOINTS for s in c.samples[n]],
                             sum(figures[n]["errors"] for n in ENDPOINTS), elapsed)
    first_errors = [c.first_error for c in pool if c.first_error]
    return {"seconds": round(elapsed, 3), "completions": sum(completions),
            "completions_per_s": round(sum(completions) / elapsed, 1), "errors": figures["all"]["errors"],
            "endpoints": figures, "first_error": first_errors[0] if first_errors else None,
            "acknowledged_with_warmup": sum(completions) + sum(warm), "client_cores": client_cores}


def summary(samples: list[float], errors: int, elapsed: float) -> dict:
    ordered = sorted(samples)

    def percentile(p: float) -> float | None:
        # Nearest rank: the smallest sample with at least p % of the samples at or below it.
        return round(ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)] * 1000, 2) if ordered else None

    return {"requests": len(ordered), "req_per_s": round(len(ordered) / elapsed, 1) if elapsed else 0.0,
            "p50_ms": percentile(50), "p95_ms": percentile(95), "p99_ms": percentile(99), "errors": errors}


def postgres_database(admin_url: str):
    """A fresh database made through the admin database, as tests/conftest.py does; its URL and a
    function that drops it."""
    name = f"bench_http_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:
        admin.dispose()
        raise

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin_url.rsplit("/", 1)[0] + f"/{name}", drop


def measure(kind: str, args, workdir: Path) -> dict:
    if kind == "sqlite":
        url, drop = f"sqlite:///{workdir / 'bench.db'}", (lambda: None)
    else:
        url, drop = postgres_database(args.postgres)
    try:
        token = seed(url)
        with gunicorn(url, workdir, args.workers, args.threads) as port:
            result = load(port, token, args.clients, math.ceil(args.requests / 3), args.seconds, args.warmup)
        # What the server says it finished, against what the clients saw acknowledged.
        result["instances_completed"] = completed_instances(url)
        return result
    finally:
        drop()


def verdict(pg: dict) -> dict:
    worst = max(ENDPOINTS, key=lambda n: pg["endpoints"][n]["p95_ms"] or math.inf)
    p95 = pg["endpoints"][worst]["p95_ms"]
    return {"completions_per_s": {"target": f">= {TARGETS['completions_per_s']:g}", "measured": pg["completions_per_s"],
                                  "met": pg["completions_per_s"] >= TARGETS["completions_per_s"]},
            "p95_ms": {"target": f"< {TARGETS['p95_ms']:g} on every endpoint", "measured": p95, "endpoint": worst,
                       "met": p95 is not None and p95 < TARGETS["p95_ms"]},
            "errors": {"target": "0", "measured": pg["errors"], "met": pg["errors"] == TARGETS["errors"]}}


def report(results: dict, config: dict) -> None:
    print(f"HTTP benchmark: gunicorn {config['workers']} workers x {config['threads']} threads, "
          f"{config['clients']} clients, start -> list -> complete over {REST}, "
          f"{config['warmup']} warm-up iterations per client not measured")
    columns = [kind for kind in results if kind in LABELS]
    print(f"{'':<9}" + "".join(f" | {LABELS[kind]:<45}" for kind in columns))
    print(f"{'endpoint':<9}" + " | requests   req/s  p50 ms  p95 ms  p99 ms errors" * len(columns))
    for name in (*ENDPOINTS, "all"):
        cells = []
        for kind in columns:
            f = results[kind].get("endpoints", {}).get(name)
            cells.append(" | " + (" ".join([f"{f['requests']:>8}", f"{f['req_per_s']:>7.1f}", *(
                f"{f[p]:>7.1f}" if f[p] is not None else f"{'-':>7}" for p in ("p50_ms", "p95_ms", "p99_ms")),
                f"{f['errors']:>6}"]) if f else f"{'-':<45}"))
        print(f"{name:<9}" + "".join(cells))
    for kind in columns:
        r = results[kind]
        if "skipped" in r:
            print(f"{LABELS[kind]}: skipped ({r['skipped']})")
            continue
        print(f"{LABELS[kind]}: {r['completions']} completions in {r['seconds']:.2f} s = {r['completions_per_s']:.1f}"
              f" completions/s; the database holds {r['instances_completed']} completed instances for "
              f"{r['acknowledged_with_warmup']} acknowledged (warm-up included); the clients "
              f"used {r['client_cores']:.2f} of a core"
              + (f"; first error: {r['first_error']}" if r["first_error"] else ""))
    if "targets" in results:
        print("targets on PostgreSQL (issue 18): " + "; ".join(
            f"{name} {t['target']}: {'met' if t['met'] else 'not met'} (measured {t['measured']}"
            + (f" ms, {t['endpoint']})" if "endpoint" in t else ")")
            for name, t in results["targets"].items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=6000,
                        help="measured HTTP requests per database, in whole start-list-complete iterations")
    parser.add_argument("--seconds", type=float, default=60, help="cap on the measured time per database")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured iterations per client first")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                        help="gunicorn workers (default: 2 x cores + 1, gunicorn's advice)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker; 1 is the sync worker docker-compose.yml runs")
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--postgres", default=os.environ.get(
        "THIDUA_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"), help="the admin database")
    parser.add_argument("--json", action="store_true", help="print every figure as one JSON object")
    args = parser.parse_args()
    kinds = [kind.strip() for kind in args.databases.split(",") if kind.strip()]
    if not kinds or set(kinds) - set(LABELS) or min(args.requests, args.clients, args.workers, args.threads) < 1:
        parser.error("--databases takes postgresql and/or sqlite; --requests, --clients, --workers, --threads >= 1")
    config = {key: getattr(args, key) for key in ("requests", "seconds", "clients", "warmup", "workers", "threads")}
    results: dict = {"config": config}
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix="bench-http-") as folder:
            try:
                results[kind] = measure(kind, args, Path(folder))
            except OperationalError as err:
                if kind != "postgresql":
                    raise
                # The figure is simply missing when no PostgreSQL runs here, as in bench/engine.py.
                results[kind] = {"skipped": f"{err.__class__.__name__}: {str(err).splitlines()[0][:200]}"}
    if "endpoints" in results.get("postgresql", {}):
        results["targets"] = verdict(results["postgresql"])
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    else:
        report(results, config)


if __name__ == "__main__":
    main()

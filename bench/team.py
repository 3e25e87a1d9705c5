"""Team mode's cost and its guarantees, measured in one run against the embedded default.

    python bench/team.py [--requests 200]

Starts a real redis-server and PostgreSQL (Debian's packages, loopback, temp dirs), fake
Claude tiers, and `switchex up` processes: one embedded (memory + SQLite), one in team mode
(Redis state + PostgreSQL journal), then three team replicas. Prints:
- added p50 of team mode over the embedded gateway, alternating identical requests, when no
  cooldown changes and on requests that change state (every request fails over and cools);
- 3 replicas x N requests during one cooldown: requests reaching the cooling tier, then the
  probes after expiry (concurrent requests at all three replicas);
- journal throughput into PostgreSQL (rows/s, 50,000 rows through the writer), and the p50 of
  a gateway journaling into PostgreSQL against one journaling into SQLite.
This is a benchmark, not a test: figures vary with the machine; the differences matter.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.team.servers import PostgresServer, RedisServer, free_port  # noqa: E402

from switchex.fakes.anthropic import FakeAnthropic  # noqa: E402
from switchex.fakes.base import Reply  # noqa: E402
from switchex.journal.postgres import PostgresJournal  # noqa: E402

MESSAGE = {"role": "user", "content": "hi"}
BODY = json.dumps({"model": "claude-sonnet-4-5", "max_tokens": 16, "messages": [MESSAGE]}).encode()
HEADERS = {"content-type": "application/json", "x-api-key": "k", "anthropic-version": "2023-06-01"}


class Client:
    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self) -> float:
        start = time.perf_counter()
        self.connection.request("POST", "/v1/messages", BODY, HEADERS)
        response = self.connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"HTTP {response.status}")
        return (time.perf_counter() - start) * 1000


Process = subprocess.Popen[bytes]


def gateway(tmp: Path, name: str, tiers: str, extra: str = "") -> tuple[Process, int]:
    config = tmp / f"{name}.yaml"
    config.write_text(f"tiers:\n{tiers}{extra}")
    port = free_port()
    where = ["--port", str(port), "--state-dir", str(tmp / name)]
    process = subprocess.Popen(
        [sys.executable, "-m", "switchex", "up", "--config", str(config), *where, "--no-track"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(2000):
        try:
            Client(port).call()
            return process, port
        except OSError:
            time.sleep(0.005)
    raise SystemExit(f"gateway {name} did not start")


def tier(name: str, fake: FakeAnthropic) -> str:
    return f"  - {{name: {name}, provider: anthropic, base_url: '{fake.base_url}', api_key: k}}\n"


def alternate(ports: list[int], n: int) -> list[float]:
    """p50 (ms) per port, requests alternating between them on kept-alive connections."""
    clients = [Client(port) for port in ports]
    times: list[list[float]] = [[] for _ in ports]
    for _ in range(n):
        for client, bucket in zip(clients, times, strict=True):
            bucket.append(client.call())
    return [statistics.median(bucket) for bucket in times]


def overhead(tmp: Path, team: str, n: int, fakes: list[FakeAnthropic]) -> list[str]:
    first, second = fakes
    chain = tier("org", first) + tier("backup", second)
    procs = [gateway(tmp, "embedded", chain), gateway(tmp, "team", chain, team)]
    try:
        ports = [port for _, port in procs]
        alternate(ports, 20)  # warm up
        calm = alternate(ports, n)
        first.default = Reply(status=429, headers={"retry-after": "0"})  # every request cools
        alternate(ports, 20)
        changing = alternate(ports, n)
        first.default = Reply(text="ok")
    finally:
        for process, _ in procs:
            process.terminate()
            process.wait(10)
    return [
        f"p50 no state change: embedded {calm[0]:.3f} ms, team {calm[1]:.3f} ms, "
        f"added {calm[1] - calm[0]:+.3f} ms (goal <= 0.1)",
        f"p50 state change each request: embedded {changing[0]:.3f} ms, team "
        f"{changing[1]:.3f} ms, added {changing[1] - changing[0]:+.3f} ms (goal <= 1)",
    ]


def one_cooldown(tmp: Path, team: str, n: int, fakes: list[FakeAnthropic]) -> list[str]:
    first, second = fakes
    chain = tier("org", first) + tier("backup", second)
    procs = [gateway(tmp, f"replica{i}", chain, team) for i in range(3)]
    try:
        ports = [port for _, port in procs]
        reset = 3.0 + n * 3 * 0.004
        first.push(Reply(status=429, headers={"retry-after": str(int(reset))}))
        before = len(first.model_requests())
        Client(ports[0]).call()
        cooled = time.monotonic()
        time.sleep(0.1)
        clients = [Client(port) for port in ports]
        for _ in range(n):
            for client in clients:
                client.call()
        reached = len(first.model_requests()) - before - 1
        time.sleep(max(0.0, int(reset) - (time.monotonic() - cooled)) + 0.1)
        first.push(Reply(text="probe", delay=0.3))
        at = len(first.model_requests())
        with ThreadPoolExecutor(6) as pool:
            list(pool.map(lambda port: Client(port).call(), ports * 2))
        probes = len(first.model_requests()) - at
    finally:
        for process, _ in procs:
            process.terminate()
            process.wait(10)
    return [
        f"3 replicas x {n} requests during one cooldown: {reached} reached the cooling tier "
        "(goal 0)",
        f"probes after expiry (6 concurrent requests over 3 replicas): {probes} (goal 1)",
    ]


def journal(tmp: Path, dsn: str, n: int, fakes: list[FakeAnthropic]) -> list[str]:
    chain = tier("org", fakes[0])
    procs = [gateway(tmp, "sqlite", chain), gateway(tmp, "postgres", chain, f"journal: '{dsn}'\n")]
    try:
        sqlite, postgres = alternate([port for _, port in procs], n)
    finally:
        for process, _ in procs:
            process.terminate()
            process.wait(10)
    rows = 50_000
    sink = PostgresJournal(dsn, tmp / "bench-spool.sqlite3", interval=0.05)
    started = time.perf_counter()
    _flood(sink, rows)
    sink.flush(120)
    seconds = time.perf_counter() - started
    sink.close()
    with psycopg.connect(dsn) as connection:
        query = "SELECT COUNT(*) FROM requests WHERE session = 'flood'"
        stored = connection.execute(query).fetchone()
    count = stored[0] if stored else 0
    return [
        f"journal to PostgreSQL: {count} rows in {seconds:.2f} s = {count / seconds:,.0f} rows/s "
        "(goal >= 2,000)",
        f"gateway p50, journal in PostgreSQL {postgres:.3f} ms vs SQLite {sqlite:.3f} ms "
        f"({postgres - sqlite:+.3f} ms)",
    ]


def _flood(sink: PostgresJournal, rows: int) -> None:
    for i in range(rows):
        sink.record("requests", {"time": time.time(), "session": "flood", "status": 200, "cost": i})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    redis, postgres = RedisServer(), PostgresServer()
    redis.start()
    postgres.start()
    lines: list[str] = []
    try:
        with tempfile.TemporaryDirectory() as name, FakeAnthropic() as a, FakeAnthropic() as b:
            tmp, fakes = Path(name), [a, b]
            team = f"state: '{redis.url}'\njournal: '{postgres.dsn}'\n"
            lines += overhead(tmp, team, args.requests, fakes)
            lines += one_cooldown(tmp, f"state: '{redis.url}'\n", args.requests, fakes)
            lines += journal(tmp, postgres.dsn, args.requests, fakes)
    finally:
        redis.stop()
        postgres.stop()
    print("\n".join(lines))


if __name__ == "__main__":
    main()

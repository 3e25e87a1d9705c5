"""What seeing costs: `/metrics` scrape, the SSE feed on the request path, dashboard paint.

    python bench/dashboard.py [--requests 200] [--tiers 50] [--no-browser]

One gateway (uvicorn on loopback, in this process's thread) over a fake Anthropic upstream.
- `/metrics` with --tiers tiers × as many models populated, next to `GET /health` (p50).
- `POST /v1/messages` p50 with no dashboard open vs. 5 SSE listeners connected, same run.
- First contentful paint of `/` in headless Chromium (Debian's, via Playwright).
A benchmark, not a test: figures vary with the machine; ratios in the same run matter.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import GatewayServer, make_config  # noqa: E402

from switchex.fakes.anthropic import FakeAnthropic  # noqa: E402
from switchex.gateway.app import App, create_gateway  # noqa: E402

BODY = json.dumps(
    {
        "model": "claude-sonnet-4-5",
        "max_tokens": 64,
        "messages": [{"role": "user", "content": "hi"}],
    }
)


def p50(connection: http.client.HTTPConnection, method: str, path: str, n: int) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        body = BODY if method == "POST" else None
        connection.request(method, path, body, {"content-type": "application/json"})
        connection.getresponse().read()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def populate(server: GatewayServer, tiers: int) -> None:
    metrics = server.gateway.view.metrics
    for t in range(tiers):
        for outcome in (200, 429):
            metrics.request(f"tier-{t}", outcome, None if outcome == 200 else "x", 0.2, 0.05)
        metrics.usage(f"model-{t}", {"input": 100, "output": 50, "cache_read": 10}, 0.01)
        metrics.switched(f"tier-{t}", f"tier-{t + 1}")


def scrape_after_a_record(
    server: GatewayServer, connection: http.client.HTTPConnection, count: int
) -> float:
    metrics = server.gateway.view.metrics
    times = []
    for _ in range(count):
        metrics.request("tier-0", 200, None, 0.2, 0.05)
        start = time.perf_counter()
        connection.request("GET", "/metrics")
        connection.getresponse().read()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def listen(port: int, ready: threading.Event, stop: threading.Event) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/events")
    response = connection.getresponse()
    ready.set()
    while not stop.is_set():
        if not response.fp.readline():  # type: ignore[union-attr]
            break
    connection.close()


def first_paint(url: str) -> float | None:
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        paints = []
        for _ in range(5):
            page = browser.new_page()
            page.goto(url, wait_until="load")
            page.wait_for_timeout(100)
            fcp = page.evaluate(
                "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null"
            )
            if fcp is not None:
                paints.append(float(fcp))
            page.close()
        browser.close()
    return statistics.median(paints) if paints else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--tiers", type=int, default=50)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    with FakeAnthropic() as fake, tempfile.TemporaryDirectory() as state:
        tiers = [{"name": "claude", "provider": "anthropic", "base_url": fake.base_url}]
        tiers += [
            {"name": f"tier-{t}", "provider": "anthropic", "base_url": fake.base_url}
            for t in range(args.tiers - 1)
        ]
        server = GatewayServer(App(create_gateway(make_config(tiers), Path(state)))).start()
        populate(server, args.tiers)
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        health = p50(connection, "GET", "/health", args.requests)
        scrape = p50(connection, "GET", "/metrics", args.requests)
        print(f"GET /health                      p50 {health:7.2f} ms")
        print(
            f"GET /metrics ({args.tiers} tiers x models) p50 {scrape:7.2f} ms  "
            f"({scrape / health:.1f}x /health; nothing recorded between scrapes)"
        )
        changed = scrape_after_a_record(server, connection, max(20, args.requests // 10))
        print(
            f"GET /metrics, a request recorded before each scrape p50 {changed:7.2f} ms  "
            f"({changed / health:.1f}x /health; rendered again, in a worker thread)"
        )
        quiet = p50(connection, "POST", "/v1/messages", args.requests)
        stop, listeners = threading.Event(), []
        for _ in range(5):
            ready = threading.Event()
            thread = threading.Thread(target=listen, args=(server.port, ready, stop), daemon=True)
            thread.start()
            ready.wait(5)
            listeners.append(thread)
        watched = p50(connection, "POST", "/v1/messages", args.requests)
        print(f"POST /v1/messages, no dashboard  p50 {quiet:7.2f} ms")
        print(f"POST /v1/messages, 5 SSE clients p50 {watched:7.2f} ms  ({watched / quiet:.2f}x)")
        if not args.no_browser:
            paint = first_paint(server.url + "/")
            print(f"dashboard first contentful paint  {paint:7.1f} ms" if paint else "no paint")
        stop.set()
        server.gateway.view.events.close()
        server.stop()


if __name__ == "__main__":
    main()

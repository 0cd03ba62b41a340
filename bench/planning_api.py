#!/usr/bin/env python3
"""Issue 6 latencies through the API (driven by bench/planning): CheckAvailability (3 days),
ListShortages (30 days), CheckOut scans and ListAssets full-text search, over Connect JSON with
keep-alive connections. With --clients N, N threads each keep one connection and share the
requests, so the numbers are latency under that much concurrent load. Prints one JSON object.

Usage: planning_api.py --url URL --key API_KEY --products FILE --scans FILE [--clients N]
       [--requests N] [--base YYYY-MM-DD]
  products: one product id per line; scans: event_id,asset_code per line (each used once).
"""
import argparse, datetime, http.client, json, random, threading, time, urllib.parse


def percentiles(samples):
    xs = sorted(samples)
    n = len(xs)
    if n == 0:
        return {"n": 0}
    at = lambda q: round(xs[min(n - 1, int(n * q))], 2)
    return {"n": n, "p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": round(xs[-1], 2)}


class Client:
    def __init__(self, url, key):
        u = urllib.parse.urlparse(url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        self.headers = {"Content-Type": "application/json", "Authorization": "Bearer " + key}

    def call(self, method, body):
        started = time.perf_counter()
        self.conn.request("POST", "/eventkit.v1." + method, json.dumps(body), self.headers)
        reply = self.conn.getresponse()
        data = reply.read()
        elapsed = (time.perf_counter() - started) * 1000
        answer = json.loads(data) if data else {}
        if reply.status != 200:
            raise RuntimeError(f"{method}: HTTP {reply.status} {data[:300]!r}")
        return elapsed, answer


def run_parallel(clients, jobs, work):
    """Splits jobs over the clients (one thread each); returns latencies and answers."""
    latencies, answers, errors = [], [], []
    lock = threading.Lock()

    def worker(client, share):
        for job in share:
            try:
                ms, answer = work(client, job)
            except Exception as err:  # noqa: BLE001 - reported, not hidden
                with lock:
                    errors.append(str(err))
                continue
            with lock:
                latencies.append(ms)
                answers.append(answer)

    threads = [threading.Thread(target=worker, args=(c, jobs[i::len(clients)])) for i, c in enumerate(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{len(errors)} requests failed, first: {errors[0]}")
    result = percentiles(latencies)
    result["perSecond"] = round(len(latencies) / seconds, 1)
    return result, answers


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--products", required=True)
    ap.add_argument("--scans", required=True)
    ap.add_argument("--clients", type=int, default=1)
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--base", default=(datetime.date.today() - datetime.timedelta(days=180)).isoformat())
    args = ap.parse_args()
    random.seed(1)
    products = [line.strip() for line in open(args.products) if line.strip()]
    scans = [line.strip().split(",") for line in open(args.scans) if line.strip()]
    base = datetime.datetime.fromisoformat(args.base).replace(tzinfo=datetime.timezone.utc)
    iso = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
    clients = [Client(args.url, args.key) for _ in range(args.clients)]
    for c in clients:  # warm-up: connections, caches, prepared statements
        for _ in range(10):
            c.call("PlanningService/CheckAvailability", {"productId": products[0], "period": {"start": iso(base), "end": iso(base + datetime.timedelta(days=1))}, "quantity": 1})
    out = {"clients": args.clients}

    def availability(client, job):
        product, start, quantity = job
        return client.call("PlanningService/CheckAvailability", {"productId": product, "period": {"start": iso(start), "end": iso(start + datetime.timedelta(days=3))}, "quantity": quantity})

    jobs = [(random.choice(products), base + datetime.timedelta(days=random.randint(0, 360)), random.randint(1, 10)) for _ in range(args.requests)]
    out["checkAvailability3d"], _ = run_parallel(clients, jobs, availability)

    def shortages(client, start):
        return client.call("PlanningService/ListShortages", {"period": {"start": iso(start), "end": iso(start + datetime.timedelta(days=30))}})

    jobs = [base + datetime.timedelta(days=random.randint(0, 330)) for _ in range(max(20, args.requests // 10))]
    out["listShortages30d"], answers = run_parallel(clients, jobs, shortages)
    out["listShortages30d"]["shortagesInLastAnswer"] = len(answers[-1].get("shortages", [])) if answers else 0

    stamp = time.time_ns()

    def check_out(client, job):
        i, (event_id, code) = job
        return client.call("ScanningService/CheckOut", {"clientScanId": f"bench-{stamp}-{i}", "eventId": event_id, "code": code})

    out["checkOutScan"], answers = run_parallel(clients, list(enumerate(scans)), check_out)
    outcomes = {}
    for a in answers:
        o = a.get("result", {}).get("outcome", "?")
        outcomes[o] = outcomes.get(o, 0) + 1
    out["checkOutScan"]["outcomes"] = outcomes

    def search(client, query):
        return client.call("InventoryService/ListAssets", {"query": query, "page": {"pageSize": 50}})

    words = ["light", "audio 1", "seed", "video", "power 2", "rigging", "SN"]
    jobs = [random.choice(words) for _ in range(args.requests // 2)]
    out["assetSearch"], _ = run_parallel(clients, jobs, search)
    print(json.dumps(out))


if __name__ == "__main__":
    main()

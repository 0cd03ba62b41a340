# Issue 6 latencies through the API: CheckAvailability, ListShortages (30 days), CheckOut scans and
# asset search, sequential over one connection. Needs /tmp/bench_tenant.json ({"apiKey": ...} from
# `eventkit tenants create`, then `eventkit seed`), /tmp/products.txt (product ids) and
# /tmp/scans.csv (event_id,asset_code pairs on confirmed pull lists); see bench/RESULTS.md.
import http.client, json, random, time, sys, statistics
cfg = json.load(open('/tmp/bench_tenant.json'))
key = cfg['apiKey']
conn = http.client.HTTPConnection('127.0.0.1', 18931)
def call(method, body):
    t = time.perf_counter()
    conn.request('POST', '/eventkit.v1.' + method, json.dumps(body), {'Content-Type': 'application/json', 'Authorization': 'Bearer ' + key})
    r = conn.getresponse(); data = r.read()
    dt = (time.perf_counter() - t) * 1000
    if r.status != 200: print(method, r.status, data[:200]); 
    return dt, json.loads(data)
def pct(xs):
    xs = sorted(xs); n = len(xs)
    return f"n={n} p50={xs[n//2]:.1f}ms p95={xs[int(n*0.95)]:.1f}ms p99={xs[min(n-1,int(n*0.99))]:.1f}ms"
products = [l.strip() for l in open('/tmp/products.txt')]
random.seed(1)
base = time.mktime(time.strptime('2026-05-26', '%Y-%m-%d'))
def iso(t): return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(t))
for _ in range(20): call('PlanningService/CheckAvailability', {'productId': products[0], 'period': {'start': iso(base), 'end': iso(base+86400)}, 'quantity': 1})
lat = []
for _ in range(300):
    s = base + random.randint(0, 360) * 86400
    dt, _ = call('PlanningService/CheckAvailability', {'productId': random.choice(products), 'period': {'start': iso(s), 'end': iso(s + 3*86400)}, 'quantity': random.randint(1, 10)})
    lat.append(dt)
print('CheckAvailability', pct(lat))
lat = []
for _ in range(40):
    s = base + random.randint(0, 330) * 86400
    dt, body = call('PlanningService/ListShortages', {'period': {'start': iso(s), 'end': iso(s + 30*86400)}})
    lat.append(dt)
print('ListShortages 30d', pct(lat), 'shortages in last:', len(body.get('shortages', [])))
lat = []; outcomes = {}
for i, line in enumerate(open('/tmp/scans.csv')):
    ev, code = line.strip().split(',')
    dt, body = call('ScanningService/CheckOut', {'clientScanId': f'bench-{time.time()}-{i}', 'eventId': ev, 'code': code})
    lat.append(dt); o = body.get('result', {}).get('outcome', body.get('code')); outcomes[o] = outcomes.get(o, 0) + 1
print('CheckOut scan', pct(lat), outcomes)
lat = []
for i in range(200):
    dt, body = call('InventoryService/ListAssets', {'query': random.choice(['light', 'audio 1', 'seed', 'video', 'power 2']), 'page': {'pageSize': 50}})
    lat.append(dt)
print('ListAssets search', pct(lat))

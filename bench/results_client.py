#!/usr/bin/env python3
"""results_client.py - bench/results.sh's client for new results: posts one
result per activation code of CODES[FROM:TO] to URL/api/v1/results with the
API key KEY, over CONNS kept-alive connections (one thread each, every
request waiting for its answer: CONNS=1 is « one request at a time »), each
code exactly once.  Prints the statuses, requests per second and latencies
(p50, p90, p99, max).  wrk cannot stop after a number of requests (its main
thread sleeps for the whole -d), hence this client for the passes where
each request must be a first result.

usage: results_client.py URL KEY CODES FROM TO CONNS
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse

url, key, codes_file, lo, hi, conns = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
codes = [line.strip() for line in open(codes_file)][lo:hi]
u = urllib.parse.urlparse(url)
latencies, statuses, lock = [], {}, threading.Lock()


def worker(part):
    c = http.client.HTTPConnection(u.hostname, u.port)
    head = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}
    mine, seen = [], {}
    for i, code in part:
        body = json.dumps({"code": code, "score": (i * 37) % 1001, "duration_s": 5400 + i % 900})
        t0 = time.perf_counter()
        c.request("POST", "/api/v1/results", body, head)
        r = c.getresponse()
        r.read()
        mine.append(time.perf_counter() - t0)
        seen[r.status] = seen.get(r.status, 0) + 1
    with lock:
        latencies.extend(mine)
        for k, v in seen.items():
            statuses[k] = statuses.get(k, 0) + v


items = list(enumerate(codes, start=lo))
threads = [threading.Thread(target=worker, args=(items[k::conns],)) for k in range(conns)]
t0 = time.perf_counter()
for t in threads:
    t.start()
for t in threads:
    t.join()
wall = time.perf_counter() - t0
latencies.sort()
pct = lambda p: latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000
print("requests: %d in %.2f s over %d connection(s): %.0f requests/s" % (len(latencies), wall, conns, len(latencies) / wall))
print("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f" % (pct(50), pct(90), pct(99), latencies[-1] * 1000))
print("statuses: " + " ".join("%d=%d" % kv for kv in sorted(statuses.items())))

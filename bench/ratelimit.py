#!/usr/bin/env python3
"""A proxy in front of a registry that throttles like Amazon ECR: each request
is counted against the ECR API operation it stands for, every operation has
its own rate (requests per second, for all clients together, as ECR's
per-account quotas are), and a request beyond it is answered 429
TOOMANYREQUESTS without reaching the registry; every other 429 carries a
`Retry-After`, the rest carry none. Standard library only.

    ratelimit.py --upstream HOST:PORT [--listen PORT] [--scale F] [--rate OP=N ...]

Prints the port it listens on (127.0.0.1) on stdout, then serves until killed.
`GET /_stats` answers the counts as JSON (per operation: forwarded,
throttled, with Retry-After; per repository: forwarded per operation);
`POST /_reset` zeroes them.

Docker's registry API to ECR's operations (as ECR's own documentation of its
quotas describes a push and a pull):

    GET/HEAD  /v2/NAME/manifests/REF     BatchGetImage
    PUT       /v2/NAME/manifests/REF     PutImage
    HEAD      /v2/NAME/blobs/DIGEST      BatchCheckLayerAvailability
    GET       /v2/NAME/blobs/DIGEST      GetDownloadUrlForLayer
    POST      /v2/NAME/blobs/uploads/    InitiateLayerUpload (a mount too)
    PATCH     /v2/NAME/blobs/uploads/ID  UploadLayerPart
    PUT       /v2/NAME/blobs/uploads/ID  CompleteLayerUpload, and UploadLayerPart
                                         when it carries the blob (monolithic)

Anything else (GET /v2/, DELETE of an upload session) is not limited.
The default rates are ECR's default quotas per account and Region (AWS's
"Amazon ECR service quotas" page); --scale multiplies them all (0.1: a tenth).
A bucket holds one second of its rate (at least one request).
"""

import argparse
import http.client
import http.server
import json
import math
import re
import sys
import threading
import time

ECR_RATES = {
    "BatchCheckLayerAvailability": 1000,
    "BatchGetImage": 2000,
    "CompleteLayerUpload": 100,
    "GetDownloadUrlForLayer": 3000,
    "InitiateLayerUpload": 100,
    "PutImage": 10,
    "UploadLayerPart": 500,
}

HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}
PATH = re.compile(r"^/v2/(?P<name>.+?)/(?P<kind>manifests|blobs/uploads|blobs)(?:/(?P<rest>[^?]*))?(?:\?.*)?$")


def operations(method, path, has_body):
    """(repository, [ECR operations]) of one request; no operation: not limited."""
    m = PATH.match(path)
    if not m:
        return None, []
    name, kind = m.group("name"), m.group("kind")
    if kind == "manifests":
        return name, {"GET": ["BatchGetImage"], "HEAD": ["BatchGetImage"], "PUT": ["PutImage"]}.get(method, [])
    if kind == "blobs":
        return name, {"HEAD": ["BatchCheckLayerAvailability"], "GET": ["GetDownloadUrlForLayer"]}.get(method, [])
    if method == "POST":
        return name, ["InitiateLayerUpload"]
    if method == "PATCH":
        return name, ["UploadLayerPart"]
    if method == "PUT":
        return name, (["UploadLayerPart"] if has_body else []) + ["CompleteLayerUpload"]
    return name, []


class Bucket:
    def __init__(self, rate):
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.stamp = time.monotonic()


class Limiter:
    def __init__(self, rates):
        self.lock = threading.Lock()
        self.buckets = {op: Bucket(r) for op, r in rates.items()}
        self.reset()

    def reset(self):
        with self.lock:
            self.ops = {op: {"forwarded": 0, "throttled": 0, "retry_after": 0} for op in self.buckets}
            self.repos = {}
            self.throttles = 0

    def admit(self, repo, ops):
        """None when the request may go on, else its Retry-After (None inside: no header)."""
        with self.lock:
            now = time.monotonic()
            # All of a request's operations must pass, or none is charged.
            waits = []
            for op in ops:
                b = self.buckets[op]
                b.tokens = min(b.capacity, b.tokens + (now - b.stamp) * b.rate)
                b.stamp = now
                if b.tokens < 1.0:
                    waits.append((1.0 - b.tokens) / b.rate)
            if waits:
                self.throttles += 1
                hint = max(1, math.ceil(max(waits))) if self.throttles % 2 else None
                for op in ops:
                    self.ops[op]["throttled"] += 1
                    self.ops[op]["retry_after"] += hint is not None
                return ("throttled", hint)
            per_repo = self.repos.setdefault(repo, {})
            for op in ops:
                self.buckets[op].tokens -= 1.0
                self.ops[op]["forwarded"] += 1
                per_repo[op] = per_repo.get(op, 0) + 1
            return None

    def stats(self):
        with self.lock:
            return {"ops": self.ops, "repos": self.repos, "rates": {o: b.rate for o, b in self.buckets.items()}}


def handler_for(upstream, limiter):
    host, port = upstream.rsplit(":", 1)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        upstream_conn = None

        def log_message(self, *args):
            pass

        def conn(self):
            if self.upstream_conn is None:
                self.upstream_conn = http.client.HTTPConnection(host, int(port), timeout=600)
            return self.upstream_conn

        def body(self):
            """The request body, read in full (chunked or by length)."""
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                parts = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return b"".join(parts)
                    parts.append(self.rfile.read(size))
                    self.rfile.readline()
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def reply(self, code, headers, body):
            self.send_response(code)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def handle_any(self):
            if self.path == "/_stats":
                self.body()
                return self.reply(200, [("Content-Type", "application/json")], json.dumps(limiter.stats()).encode())
            if self.path == "/_reset" and self.command == "POST":
                self.body()
                limiter.reset()
                return self.reply(200, [], b"")
            body = self.body()
            repo, ops = operations(self.command, self.path, len(body) > 0)
            verdict = limiter.admit(repo, ops) if ops else None
            if verdict is not None:
                _, hint = verdict
                headers = [("Content-Type", "application/json"), ("Docker-Distribution-Api-Version", "registry/2.0")]
                if hint is not None:
                    headers.append(("Retry-After", str(hint)))
                msg = {"errors": [{"code": "TOOMANYREQUESTS", "message": "Rate exceeded"}]}
                return self.reply(429, headers, json.dumps(msg).encode())
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            if body or self.command in ("PUT", "POST", "PATCH"):
                headers["Content-Length"] = str(len(body))
            for attempt in (1, 2):
                try:
                    c = self.conn()
                    c.request(self.command, self.path, body=body, headers=headers)
                    resp = c.getresponse()
                    data = resp.read()
                    break
                except (http.client.HTTPException, OSError):
                    # A kept-alive upstream connection the registry closed: once more, fresh.
                    self.upstream_conn = None
                    if attempt == 2:
                        return self.reply(502, [], b"")
            out = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP and k.lower() != "content-length"]
            if self.command == "HEAD":
                self.send_response(resp.status)
                for k, v in out:
                    self.send_header(k, v)
                self.send_header("Content-Length", resp.getheader("Content-Length", "0"))
                self.end_headers()
                return
            self.reply(resp.status, out, data)

        do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--upstream", required=True, help="HOST:PORT of the registry")
    ap.add_argument("--listen", type=int, default=0, help="port on 127.0.0.1 (default: any free one)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every rate by this")
    ap.add_argument("--rate", action="append", default=[], metavar="OP=N", help="one operation's rate")
    args = ap.parse_args()
    rates = dict(ECR_RATES)
    for r in args.rate:
        op, n = r.split("=", 1)
        if op not in rates:
            sys.exit(f"ratelimit.py: unknown operation {op} (one of {', '.join(rates)})")
        rates[op] = float(n)
    rates = {op: r * args.scale for op, r in rates.items()}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.listen), handler_for(args.upstream, Limiter(rates)))
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

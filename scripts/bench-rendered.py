#!/usr/bin/env python3
"""Rendered mode against axe-core in the same Chromium, on real pages served on loopback.

Both run sequentially (one tab, one page at a time) in headless Chromium with every request that
leaves 127.0.0.1 failing at once (the same --host-resolver-rules for both), and wait for the load
event before judging. Prints per-page mean time and the peak memory of each tool with its browser.
axe-core and playwright-core (the axe driver) are installed with npm into a temporary folder, never
into the repository.

Usage: scripts/bench-rendered.py [PAGES=50]   (ELDERCHECK_REAL_PAGES: corpus, default ../shared/real-pages;
ELDERCHECK_BENCH_ARGS: more eldercheck options, e.g. "--render-settle-ms 0" or "--render-tabs 2";
ELDERCHECK_BENCH_OFFLINE=0: see below; ELDERCHECK_BENCH_ONLY=1: eldercheck alone, ELDERCHECK_BIN: which
eldercheck binary, e.g. another commit's build, to compare two builds where axe-core cannot be installed)

Outside requests are blocked by running the whole benchmark (server, both tools, both browsers) in a
network namespace of its own with only loopback (`unshare -rn`), where every outside name fails at
once for both tools. axe-core's Chromium also has every outside name mapped to nothing
(--host-resolver-rules), so it never looks one up; eldercheck looks up every name the page's
requests use before the browser may connect (the address rule). With ELDERCHECK_BENCH_OFFLINE=0, or
where namespaces are not allowed, the benchmark runs on the machine's network instead and
eldercheck's lookups go to its resolver: a resolver that limits how many questions it answers
(this benchmark machine's drops a lookup in four beyond ~40 a second) then costs eldercheck
alone the time it takes to ask again.
"""

import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("ELDERCHECK_REAL_PAGES", ROOT.parent / "shared" / "real-pages"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
MODULES = Path(tempfile.gettempdir()) / "eldercheck-axe-bench"


def tree_rss_kib(pid):
    """Resident memory of a process and all its descendants, in KiB."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except OSError:
            continue
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
        stack.extend(children.get(p, []))
    return total


def run_measured(command):
    """Runs a command; returns (seconds, peak KiB of its process tree, stdout)."""
    started = time.monotonic()
    # With ELDERCHECK_RENDER_TRACE=1 the phases a page took go to stderr (docs/PERFORMANCE.md).
    trace = os.environ.get("ELDERCHECK_RENDER_TRACE") == "1"
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=None if trace else subprocess.DEVNULL, text=True)
    peak = 0
    output = []
    reader = threading.Thread(target=lambda: output.append(process.stdout.read()))
    reader.start()
    while process.poll() is None:
        peak = max(peak, tree_rss_kib(process.pid))
        time.sleep(0.1)
    reader.join()
    return time.monotonic() - started, peak, "".join(output)


def offline_or_not():
    """Re-runs this script inside a loopback-only network namespace, unless asked not to or not
    allowed; returns (only) when the benchmark is to run here."""
    if os.environ.get("ELDERCHECK_BENCH_INSIDE") == "1":
        print("outside requests: blocked (a network namespace with loopback only)")
        return
    if os.environ.get("ELDERCHECK_BENCH_OFFLINE", "1") == "1":
        enter = ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$0" "$@"']
        if subprocess.run([*enter, "true"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
            sys.stdout.flush()
            os.environ["ELDERCHECK_BENCH_INSIDE"] = "1"
            os.execvp("unshare", [*enter, sys.executable, *sys.argv])
        print("outside requests: failing through this machine's resolver (no network namespace allowed here)")
    else:
        print("outside requests: failing through this machine's resolver (ELDERCHECK_BENCH_OFFLINE=0)")


def main():
    # Fetched and built while the network is there. With ELDERCHECK_BENCH_ONLY=1, eldercheck alone
    # (where axe-core cannot be installed: compare two eldercheck builds in one session instead).
    only = os.environ.get("ELDERCHECK_BENCH_ONLY") == "1"
    MODULES.mkdir(exist_ok=True)
    if not only and not (MODULES / "node_modules" / "axe-core").is_dir():
        subprocess.run(["npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(MODULES),
                        "axe-core@4", "playwright-core"], check=True, stdout=subprocess.DEVNULL)

    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    offline_or_not()
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    manifest = json.loads((CORPUS / "manifest.json").read_text())
    chosen = [manifest[i * len(manifest) // count]["file"] for i in range(count)]

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(CORPUS), **kwargs)

        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path == "/bench-index.html":
                links = "".join(f'<li><a href="/{f}">{f}</a></li>' for f in chosen)
                body = f"<!DOCTYPE html><html lang=zh-CN><head><meta charset=utf-8><title>bench</title></head><body><ul>{links}</ul></body></html>"
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            super().do_GET()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    urls = [f"http://127.0.0.1:{port}/{f}" for f in chosen]

    work = Path(tempfile.mkdtemp(prefix="eldercheck-bench-rendered-"))
    wrapper = work / "chromium"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"exec {CHROMIUM} --host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1' \"$@\"\n"
    )
    wrapper.chmod(0o755)

    binary = Path(os.environ.get("ELDERCHECK_BIN", ROOT / "target" / "release" / "eldercheck"))
    out = work / "eldercheck-out"
    seconds, peak, _ = run_measured([
        str(binary), "check", f"http://127.0.0.1:{port}/bench-index.html", "--render", "always",
        "--render-tabs", "1", "--concurrency", "1", "--delay-ms", "0", "--no-robots", "--max-depth", "1",
        "--max-pages", str(count + 1), "--no-db", "--format", "json", "--out", str(out), "-q",
        "--chromium", str(wrapper), *os.environ.get("ELDERCHECK_BENCH_ARGS", "").split(),
    ])
    report = json.loads((out / "report.json").read_text())
    pages = report["sites"][0]["pages"]
    rendered = sum(1 for p in pages if p.get("rendered"))
    errors = sum(1 for p in pages if p.get("error"))
    ours = seconds / max(len(pages), 1)
    print(f"pages: {count} real pages (+ the index page for eldercheck), {os.cpu_count()} cores, sequential")
    print(f"eldercheck --render always: {seconds:.1f} s for {len(pages)} pages ({rendered} rendered, {errors} errors), "
          f"{ours * 1000:.0f} ms/page, peak memory (eldercheck + Chromium) {peak / 1024:.0f} MiB")

    if only:
        return
    axe_seconds, axe_peak, axe_out = run_measured(
        ["node", str(ROOT / "scripts" / "axe-bench.mjs"), str(MODULES / "node_modules"), str(wrapper), *urls])
    axe = json.loads(axe_out.strip().splitlines()[-1])
    times = sorted(axe["times"])
    axe_mean = axe_seconds / count
    print(f"axe-core {axe['version']} (playwright-core): {axe_seconds:.1f} s for {count} pages ({axe['errors']} errors), "
          f"{axe_mean * 1000:.0f} ms/page (median page {times[len(times) // 2]:.0f} ms, of which loading "
          f"{sum(axe['loads']) / max(len(axe['loads']), 1):.0f} ms on average), "
          f"peak memory (node + Chromium) {axe_peak / 1024:.0f} MiB")
    print(f"eldercheck per page = {100 * ours / axe_mean:.0f}% of axe-core's")
    server.shutdown()


if __name__ == "__main__":
    main()

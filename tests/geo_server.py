"""A stand-in for NCBI E-utilities and GEO downloads on 127.0.0.1, for tests.

A real HTTP server (``http.server`` in a thread) serving E-utilities-shaped JSON (built on
the real esummary record in ../shared/fixtures/geo/eutils/) and GEO/NCBI-shaped files
(the simulated study's, in the real formats) at GEO's URL layout. It can misbehave on
purpose, per path and in order: ``fail(path_prefix, "429", "500", …)``.

Faults: ``"429"`` (with Retry-After: 1), ``"500"``, ``"404"``, ``"reset"`` (connection closed
without an answer), ``"slow"`` (answer after ``slow_seconds``), ``"truncate"`` (half the body,
then close), ``"html200"`` (GEO's HTML page with status 200), ``"gzip-encoding"`` (a .gz
file sent with ``Content-Encoding: gzip``).

Redirects: ``redirect(path, location, status)`` answers requests for ``path`` with ``status``
(301, 302, 307, 308) and ``Location: location`` instead of a body (a fault queued for the
path takes precedence for 429/500/404/html200). ``calls`` logs (method, path) of every
request, and ``count(fragment, method="GET")`` counts one method only.
"""
from __future__ import annotations

import copy
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "geo"
ESUMMARY_TEMPLATE = FIXTURES / "eutils" / "esummary_db-gds_GSE126815_mouse_rnaseq.json"
HTML_ERROR_PAGE = FIXTURES / "html" / "geo_acc.cgi_no_accession_landing.html"

DOWNLOAD_PAGE = """<!DOCTYPE html>
<html><head><title>GEO Accession viewer</title></head><body>
<h2>{series}</h2>
<h3>NCBI-generated data</h3>
<table>
<tr><td>Series RNA-seq raw counts matrix</td><td>{counts}</td>
<td><a href="/geo/download/?type=rnaseq_counts&amp;acc={series}&amp;format=file&amp;\
file={counts}">download</a></td></tr>
<tr><td>Human/Mouse gene annotation table</td><td>{annotation}</td>
<td><a href="/geo/download/?format=file&amp;type=rnaseq_counts&amp;file={annotation}">\
download</a></td></tr>
</table></body></html>
"""
NO_COUNTS_PAGE = """<!DOCTYPE html>
<html><head><title>GEO Accession viewer</title></head><body>
<h2>{series}</h2><p>Supplementary files only.</p></body></html>
"""


class FakeNcbi:
    """State of the fake server: links, series records, files, faults, request log."""

    def __init__(self):
        self.links: dict[int, list[str]] = {}      # PMID -> series accessions
        self.records: dict[str, dict] = {}         # series -> esummary record
        self.files: dict[str, bytes] = {}          # URL path or path?query -> body
        self.pages: dict[str, str] = {}            # series -> download page HTML
        self.faults: dict[str, list[str]] = {}
        self.requests: list[str] = []
        self.calls: list[tuple[str, str]] = []     # (HTTP method, path?query), in order
        self.redirects: dict[str, tuple[int, str]] = {}  # URL path -> (status, Location)
        self.slow_seconds = 3.0
        self.lock = threading.Lock()
        self.template = json.loads(ESUMMARY_TEMPLATE.read_text())["result"]["200126815"]

    # -- building the fake world ------------------------------------------------------
    def add_series(self, series: str, *, title: str = "", taxon: str = "Mus musculus",
                   gdstype: str = "Expression profiling by high throughput sequencing",
                   subseries: list[str] = (), n_samples: int = 0, gpl: str = "13112"):
        record = copy.deepcopy(self.template)
        number = int(series[3:])
        record.update(uid=str(200_000_000 + number), accession=series, gse=str(number),
                      title=title or f"Series {series}", taxon=taxon, gdstype=gdstype,
                      n_samples=n_samples, gpl=gpl, samples=[],
                      relations=[{"relationtype": "SuperSeries of", "targetobject": s,
                                  "targetftplink": ""} for s in subseries])
        self.records[series] = record

    def link(self, pmid: int, *series: str):
        self.links[pmid] = list(series)

    def serve_series(self, series: str, counts: bytes | None, annotation: bytes,
                     matrix: bytes, *, counts_name: str, annotation_name: str,
                     matrix_name: str, folder: str):
        """Files of one series at GEO's paths; ``counts=None``: no NCBI counts."""
        self.files[f"/geo/series/{folder}/{series}/matrix/{matrix_name}"] = matrix
        self.files[f"/geo/download/?file={annotation_name}"] = annotation
        if counts is None:
            self.pages[series] = NO_COUNTS_PAGE.format(series=series)
        else:
            self.files[f"/geo/download/?acc={series}&file={counts_name}"] = counts
            self.pages[series] = DOWNLOAD_PAGE.format(series=series, counts=counts_name,
                                                      annotation=annotation_name)

    def serve_supplementary(self, series: str, folder: str, files: dict[str, bytes]):
        """The series' suppl/ folder: ``files`` (name -> bytes) and its HTML index page."""
        base = f"/geo/series/{folder}/{series}/suppl/"
        links = "\n".join(f'<a href="{name}">{name}</a>' for name in files)
        self.files[base] = (f"<html><head><title>Index of {base}</title></head><body>"
                            f'<h1>Index of {base}</h1><pre><a href="../">../</a>\n'
                            f"{links}</pre></body></html>").encode()
        for name, body in files.items():
            self.files[base + name] = body

    def fail(self, path_prefix: str, *faults: str):
        """The next requests whose path starts with ``path_prefix`` misbehave, in order."""
        self.faults.setdefault(path_prefix, []).extend(faults)

    def redirect(self, path: str, location: str, status: int = 302):
        """Requests for URL ``path`` are sent on to ``location`` (a path or full URL)."""
        self.redirects[path] = (status, location)

    def count(self, fragment: str, method: str | None = None) -> int:
        if method is None:
            return sum(fragment in r for r in self.requests)
        return sum(fragment in r and m == method for m, r in self.calls)

    # -- answering ----------------------------------------------------------------------
    def next_fault(self, path: str) -> str | None:
        with self.lock:
            for prefix, queue in self.faults.items():
                if path.startswith(prefix) and queue:
                    return queue.pop(0)
        return None

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, str, bytes]:
        if path.endswith("/elink.fcgi"):
            pmid = int(query["id"])
            uids = [self.records[s]["uid"] for s in self.links.get(pmid, [])]
            linkset = {"dbfrom": "pubmed", "ids": [str(pmid)]}
            if uids:
                linkset["linksetdbs"] = [{"dbto": "gds", "linkname": "pubmed_gds",
                                          "links": uids}]
            return 200, "application/json", json.dumps(
                {"header": {"type": "elink", "version": "0.3"}, "linksets": [linkset]}).encode()
        if path.endswith("/esummary.fcgi"):
            wanted = query["id"].split(",")
            by_uid = {r["uid"]: r for r in self.records.values()}
            result = {"uids": [u for u in wanted if u in by_uid]}
            result.update({u: by_uid[u] for u in result["uids"]})
            return 200, "application/json", json.dumps(
                {"header": {"type": "esummary", "version": "0.3"}, "result": result}).encode()
        if path == "/geo/download/":
            if "file" not in query:
                page = self.pages.get(query.get("acc", ""))
                return (200, "text/html", page.encode()) if page else (404, "text/html", b"")
            key = (f"/geo/download/?acc={query['acc']}&file={query['file']}"
                   if "acc" in query else f"/geo/download/?file={query['file']}")
        else:
            key = path
        body = self.files.get(key)
        if body is None:
            return 404, "text/html", b"<html><body>404 Not Found</body></html>"
        return 200, "application/octet-stream", body


def _handler(state: FakeNcbi):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep test output quiet
            pass

        def do_HEAD(self):
            self.do_GET(head=True)

        def do_GET(self, head: bool = False):
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            with state.lock:
                state.requests.append(self.path)
                state.calls.append((self.command, self.path))
            fault = state.next_fault(url.path)
            if fault == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           b"\x01\x00\x00\x00\x00\x00\x00\x00")
                self.close_connection = True
                return
            if fault == "slow":
                time.sleep(state.slow_seconds)
            status, kind, body = state.answer(url.path, query)
            headers = {}
            moved = state.redirects.get(url.path)
            if moved and fault not in ("429", "500", "404", "html200"):
                status, kind, body = moved[0], "text/html", b""
                headers["Location"] = moved[1]
            if fault in ("429", "500", "404"):
                status, kind, body = int(fault), "text/html", b"<html>error</html>"
                if fault == "429":
                    headers["Retry-After"] = "1"
            elif fault == "gzip-encoding":  # some servers label .gz files this way
                headers["Content-Encoding"] = "gzip"
            elif fault == "html200":
                status, kind, body = 200, "text/html", HTML_ERROR_PAGE.read_bytes()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if head:
                return
            if fault == "truncate":
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients hanging up mid-answer is what several tests do on purpose


class Server:
    """Context manager: ``with Server(state) as base_url: …``.

    ``poll_interval``: how often the serving thread looks for a shutdown request, i.e. how
    long leaving the ``with`` block may take (0.02 s: tests start and stop one server each;
    ``socketserver``'s 0.5 s added up to seconds across them).
    """

    def __init__(self, state: FakeNcbi, poll_interval: float = 0.02):
        self.state = state
        self.poll_interval = poll_interval
        self.httpd = _QuietServer(("127.0.0.1", 0), _handler(state))

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> str:
        threading.Thread(target=self.httpd.serve_forever, args=(self.poll_interval,),
                         daemon=True).start()
        return self.url

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def ncbi_config(base_url: str, **overrides) -> dict:
    """Config ``ncbi`` pointing at the fake server, with short waits for tests."""
    settings = {"email": "tests@example.org", "eutils_url": f"{base_url}/entrez/eutils",
                "geo_url": f"{base_url}/geo", "geo_ftp_url": f"{base_url}/geo",
                "gene_url": f"{base_url}/gene/DATA",
                "connect_timeout": 2, "read_timeout": 2, "retries": 3, "backoff": 0.1}
    settings.update(overrides)
    return settings

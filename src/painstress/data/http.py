"""HTTP for NCBI: a polite session with retries, and downloads that are checked before use.

* Retries come from urllib3's ``Retry``: exponential backoff with jitter on 429, 5xx,
  connection and read errors, honouring ``Retry-After``; connect/read timeouts.
* A per-host rate limit (NCBI asks for at most 3 requests/s without an API key, 10/s with).
* :func:`download` streams to a temporary name in the destination folder, checks the
  size against ``Content-Length``, runs the caller's validation (gzip integrity, expected
  header, no HTML page), and only then renames the file into place, writing its
  provenance (URL, the redirects that led there, size, sha256, ETag, Last-Modified, HTTP
  date, time fetched) beside it as ``<file>.provenance.json``. A file fetched again that
  differs from the copy recorded before is logged, and the record keeps the earlier copy's
  checksum. A failed download leaves nothing that a re-run would trust.
* :func:`check_remote` asks the server whether cached files changed since they were fetched
  (ETag, Last-Modified, size) and keeps the answer beside each file as
  ``<file>.remote.json``; the cached copy stays in use until the user deletes it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from painstress import InputError, OutputError, __version__, lazy_module
from painstress.files import make_folder, output_error, remove_stale_parts, write_text

# Loaded by the first download or remote check: jobs that only read provenance records
# (count sources, methods, pathways) do not pay for them.
requests = lazy_module("requests")
urllib3 = lazy_module("urllib3")

log = logging.getLogger(__name__)
RETRY_STATUS = (429, 500, 502, 503, 504)


class FetchError(InputError):
    """A download or remote lookup failed; the message says what to do instead."""


@dataclass(frozen=True)
class HttpSettings:
    """Network behaviour (config ``ncbi``)."""

    email: str = ""
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 5
    backoff: float = 0.5
    api_key: str | None = None

    @property
    def user_agent(self) -> str:
        contact = f"; mailto:{self.email}" if self.email else ""
        return (f"painstress/{__version__} (pain x stress RNA-seq reanalysis workflow"
                f"{contact})")

    @property
    def requests_per_second(self) -> float:
        return 10.0 if self.api_key else 3.0


# The settings of config ``ncbi`` that HttpSettings holds (its defaults equal the schema's:
# tests/test_settings.py).
NETWORK_FIELDS = ("email", "connect_timeout", "read_timeout", "retries", "backoff")


class RateLimiter:
    """At most ``rate`` requests per second to each host, across threads."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate
        self.next_time: dict[str, float] = {}
        self.lock = threading.Lock()

    def wait(self, url: str) -> None:
        host = urlsplit(url).netloc
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_time.get(host, now))
            self.next_time[host] = start + self.interval
        if start > now:
            time.sleep(start - now)


class Client:
    """A requests session with the retry policy, timeouts, User-Agent and rate limit."""

    def __init__(self, settings: HttpSettings):
        self.settings = settings
        # A host that cannot be reached at all rarely comes back within seconds: two
        # connect retries, so a machine without network fails fast; the full count for
        # 429/5xx answers and broken reads.
        retry = urllib3.Retry(total=settings.retries, connect=min(settings.retries, 2),
                              read=settings.retries, status=settings.retries,
                              backoff_factor=settings.backoff,
                              backoff_jitter=settings.backoff / 2, backoff_max=60,
                              status_forcelist=RETRY_STATUS,
                              allowed_methods=frozenset({"GET", "HEAD"}),
                              respect_retry_after_header=True, raise_on_status=False)
        self.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = settings.user_agent
        self.limiter = RateLimiter(settings.requests_per_second)

    def get(self, url: str, params: dict | None = None, stream: bool = False,
            method: str = "GET") -> requests.Response:
        """GET (or HEAD) with retries; raise FetchError naming the host on failure."""
        self.limiter.wait(url)
        host = urlsplit(url).netloc
        try:
            response = self.session.request(
                method, url, params=params, stream=stream,
                timeout=(self.settings.connect_timeout, self.settings.read_timeout))
        except requests.exceptions.ConnectionError as exc:
            reason = getattr(exc.args[0] if exc.args else None, "reason", None)
            # retries used up on slow answers
            if isinstance(reason, urllib3.exceptions.ReadTimeoutError):
                raise FetchError(f"{host} did not answer within "
                                 f"{self.settings.read_timeout:g} s ({self.settings.retries} "
                                 f"retries): {url}") from exc
            raise FetchError(
                f"could not reach {host} ({type(exc).__name__}, retried): {url}\n"
                "  - no network here? `make demo` runs the whole workflow offline on "
                "simulated data;\n  - data downloaded by hand? put it in resources/ and set "
                "`offline: true` (see config/README.md for the file names).") from exc
        except requests.exceptions.Timeout as exc:
            raise FetchError(f"{host} did not answer within "
                             f"{self.settings.read_timeout:g} s ({self.settings.retries} "
                             f"retries): {url}") from exc
        except requests.exceptions.RequestException as exc:
            raise FetchError(f"request to {host} failed: {exc}") from exc
        if response.status_code >= 400:
            raise FetchError(f"{host} answered HTTP {response.status_code} "
                             f"{response.reason} for {response.url}")
        return response

    def get_json(self, url: str, params: dict) -> dict:
        response = self.get(url, params=params)
        try:
            return response.json()
        except ValueError as exc:
            raise FetchError(f"{response.url} did not return JSON "
                             f"(starts with {response.text[:80]!r}).") from exc


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def provenance_path(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".provenance.json")


def remote_check_path(path: str | Path) -> Path:
    """Where :func:`check_remote` keeps its last answer about a downloaded file."""
    path = Path(path)
    return path.with_name(path.name + ".remote.json")


def provenance_record(path: str | Path) -> dict:
    """A downloaded file's provenance (url, size, sha256, fetched, …); for a file without a
    record (the demo's, or placed by hand), the file name and its sha256 only."""
    path = Path(path)
    note = provenance_path(path)
    if note.is_file():
        return json.loads(note.read_text())
    return {"file": path.name, "url": "", "fetched": "", "size": path.stat().st_size,
            "sha256": sha256_of(path)}


def provenance_summary(path: str | Path) -> dict:
    """What the methods say about one input file: ``url`` (final address; or that it was
    simulated or placed by hand), ``redirects`` (``via <url> (301), …``), ``downloaded``
    (date), ``sha256`` (whole), ``server`` (the last :func:`check_remote` answer, or that the
    copy replaced a different earlier one, or ``not checked``)."""
    path = Path(path)
    record = provenance_record(path)
    hops = ", ".join(f"{h['url']} ({h['status']})" for h in record.get("redirects") or [])
    server = "not checked" if record["url"] else ""
    check = remote_check_path(path)
    if check.is_file():
        answer = json.loads(check.read_text())
        server = f"{answer['status']} (checked {answer.get('checked', '')[:10]})"
        if answer["status"] == "changed":
            server += f": {answer['detail']}; the cached copy was used"
    if record.get("replaces"):
        earlier = record["replaces"]
        server += (f"; replaced a different copy fetched {str(earlier.get('fetched'))[:10]} "
                   f"(sha256 {earlier.get('sha256')})")
    return {"url": record["url"] or "simulated or placed by hand",
            "redirects": f"via {hops}" if hops else "", "downloaded": record["fetched"][:10],
            "sha256": record["sha256"], "server": server}


def provenance_note(path: str | Path) -> str:
    """``<file> from <url>, downloaded <date>`` from a file's provenance record, for captions
    and file headers; a file without one (the demo's, or placed by hand) says so."""
    path = Path(path)
    note = provenance_path(path)
    if not note.is_file():
        return f"{path.name}, no download record (simulated demo file or placed by hand)"
    record = json.loads(note.read_text())
    return f"{path.name} from {record['url']}, downloaded {record['fetched'][:10]}"


def _earlier_record(dest: Path) -> dict | None:
    """The provenance of a copy of ``dest`` fetched before (kept when the file was deleted
    to fetch it again), or None; an unreadable record counts as none."""
    try:
        return json.loads(provenance_path(dest).read_text())
    except (OSError, ValueError):
        return None


def _progress(total: int | None, name: str):
    if sys.stderr.isatty():
        from tqdm import tqdm

        return tqdm(total=total, unit="B", unit_scale=True, desc=name, leave=False)
    return None


def download(client: Client, url: str, dest: str | Path,
             validate: Callable[[Path], None], params: dict | None = None) -> dict:
    """Download ``url`` to ``dest`` if ``validate(tmp_path)`` passes; return provenance.

    ``validate`` raises InputError when the file is not what was expected. On any
    failure the temporary file is removed and FetchError is raised.
    """
    dest = Path(dest)
    make_folder(dest.parent, dest)
    remove_stale_parts(dest)  # a part left by a killed download is never trusted
    previous = _earlier_record(dest)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    note = provenance_path(dest).with_name(f".{dest.name}.{os.getpid()}.json.part")
    started = time.monotonic()
    try:
        response = client.get(url, params=params, stream=True)
        expected = response.headers.get("Content-Length")
        bar = _progress(int(expected) if expected else None, dest.name)
        size = 0
        try:
            with open(tmp, "wb") as fh:
                # bytes as served: a .gz sent with Content-Encoding: gzip stays gzipped
                for chunk in response.raw.stream(1 << 16, decode_content=False):
                    fh.write(chunk)
                    size += len(chunk)
                    if bar:
                        bar.update(len(chunk))
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as exc:
            raise FetchError(f"download of {response.url} broke off after {size} bytes: "
                             f"{exc}") from exc
        finally:
            if bar:
                bar.close()
        if expected is not None and size != int(expected):
            raise FetchError(f"download of {response.url} is incomplete: {size} of "
                             f"{expected} bytes.")
        try:
            validate(tmp)
        except InputError as exc:
            raise FetchError(f"{response.url} was downloaded but is not usable: "
                             f"{str(exc).replace(str(tmp), dest.name)}") from exc
        record = {"url": response.url, "file": dest.name, "size": size,
                  "sha256": sha256_of(tmp),
                  # every hop before the final URL, e.g. a PURL's 302 to the release
                  "redirects": [{"url": hop.url, "status": hop.status_code}
                                for hop in response.history],
                  "http_date": response.headers.get("Date"),
                  "last_modified": response.headers.get("Last-Modified"),
                  "etag": response.headers.get("ETag"),
                  "fetched": datetime.now(UTC).isoformat(timespec="seconds")}
        if previous and previous.get("sha256") != record["sha256"]:
            record["replaces"] = {k: previous.get(k) for k in
                                  ("sha256", "size", "fetched", "etag", "last_modified")}
            log.warning("%s differs from the copy fetched %s (sha256 %s… -> %s…, %s -> %d "
                        "bytes): the source changed", dest.name, previous.get("fetched"),
                        str(previous.get("sha256"))[:12], record["sha256"][:12],
                        previous.get("size"), size)
        # provenance first: a run cut off between the two renames leaves no data file,
        # so the next run fetches again instead of trusting an unrecorded file
        note.write_text(json.dumps(record, indent=2) + "\n")
        note.replace(provenance_path(dest))
        tmp.replace(dest)
    except OSError as exc:  # writing: a full disk, a read-only folder
        error = output_error(exc, dest)
        if error is None:
            raise
        raise error from exc
    finally:  # on any failure (Ctrl-C too): no part file stays
        tmp.unlink(missing_ok=True)
        note.unlink(missing_ok=True)
    seconds = max(time.monotonic() - started, 1e-6)
    log.info("fetched %s: %.1f MB in %.1f s (%.1f MB/s) from %s", dest.name, size / 1e6,
             seconds, size / 1e6 / seconds, record["url"])
    return record


def check_remote(client: Client, notes: list[Path]) -> list[dict]:
    """Compare downloaded files with the server's current copies, without downloading.

    For each ``*.provenance.json`` in ``notes``: a HEAD request to the recorded (final)
    URL; a different ``ETag``, ``Last-Modified`` or ``Content-Length`` means the remote
    file changed since it was fetched. Returns one record per file (``file``, ``status``
    changed / unchanged / unknown, ``detail``, ``checked``), logs the changed ones and
    writes each record beside its file (:func:`remote_check_path`) for the methods.
    """
    rows = []
    for note in notes:
        record = json.loads(Path(note).read_text())
        checked = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            head = client.get(record["url"], method="HEAD").headers
        except FetchError as exc:
            row = {"file": record["file"], "status": "unknown", "detail": str(exc)}
        else:
            row = _compare(record, head)
        row["checked"] = checked
        rows.append(row)
        if row["status"] == "changed":
            log.warning("%s changed on the server since it was fetched (%s); the cached copy "
                        "is still used: delete it to fetch the new version", record["file"],
                        row["detail"])
        data = Path(note).with_name(record["file"])
        try:
            write_text(json.dumps(row, indent=2) + "\n", remote_check_path(data))
        except OutputError as exc:  # a read-only cache: the log still says it
            log.warning("%s", exc)
    return rows


def _compare(record: dict, head) -> dict:
    """changed / unchanged / unknown from a HEAD answer's validators against a record."""
    seen = {"ETag": ("etag", head.get("ETag")),
            "Last-Modified": ("last_modified", head.get("Last-Modified")),
            "size": ("size", head.get("Content-Length"))}
    changes, compared = [], 0
    for label, (key, now) in seen.items():
        then = record.get(key)
        if now is None or then is None:
            continue
        compared += 1
        if str(now) != str(then):
            changes.append(f"{label} {then} -> {now}")
    status = "changed" if changes else ("unchanged" if compared else "unknown")
    return {"file": record["file"], "status": status,
            "detail": "; ".join(changes) or f"fetched {record['fetched']}"}

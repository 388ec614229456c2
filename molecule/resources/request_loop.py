"""A bounded request loop against the project's own throwaway host, for the tests that assert no
request fails while something is deployed, and for the benchmark that counts them.

Importable as `request_loop`: pytest.ini puts this directory on sys.path, and so does benchmark.py.
"""

import threading
import time

import requests

# A request still unanswered after this long counts as failed. Slow is not failed: on a loaded
# machine (CI runs several throwaway hosts on two cores) a deploy's image build can delay an
# answer for seconds, which users notice as a slow page, not as an error.
TIMEOUT_SECONDS = 30

# Every request on a connection of its own, as from many users: what the loop asserts is that
# each new connection is answered. A server may close an idle keep-alive connection at any time
# (its keepalive_timeout, a graceful reload or stop of nginx), and a request sent at that instant
# finds the connection gone; browsers send such a request again on a new connection (RFC 9112,
# 9.3.1), so users do not see it, but a client without that retry would count it as failed.
HEADERS = {"Connection": "close"}


class RequestLoop:
    """While in use, `clients` threads each request `url` every `interval` seconds (bounded by the
    block's duration); collects the answers that were not 200, with when they came."""

    def __init__(
        self,
        url: str,
        clients: int = 2,
        interval: float = 0.05,
        verify: bool | str = True,
        host: str | None = None,
    ) -> None:
        self.sent = 0
        # The Host header a site behind an address it does not serve by name expects.
        self._headers = {**HEADERS, **({"Host": host} if host else {})}
        self.failed: list[str] = []
        self._url = url
        # For HTTPS: True (the system CAs) or the path of a CA bundle, e.g. a test CA's root.
        self._verify = verify
        self._interval = interval
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(clients)]
        self._started = time.monotonic()

    def _run(self) -> None:
        with requests.Session() as session:
            while not self._stop.wait(self._interval):
                try:
                    response = session.get(
                        self._url,
                        headers=self._headers,
                        timeout=TIMEOUT_SECONDS,
                        verify=self._verify,
                    )
                    status = str(response.status_code)
                except requests.RequestException as error:
                    status = type(error).__name__
                with self._lock:
                    self.sent += 1
                    if status != "200":
                        self.failed.append(f"{status} at {time.monotonic() - self._started:.1f}s")

    def __enter__(self) -> "RequestLoop":
        self._started = time.monotonic()
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def assert_none_failed(self) -> None:
        assert self.sent > 0, "no request was sent"
        failed = len(self.failed)
        assert self.failed == [], f"{failed} of {self.sent} requests failed: {self.failed}"

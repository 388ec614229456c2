"""A bounded request loop against the project's own throwaway host, for the tests that assert no
request fails while something is deployed, and for the benchmark that counts them.

Importable as `request_loop`: pytest.ini puts this directory on sys.path, and so does benchmark.py.
"""

import threading

import requests


class RequestLoop:
    """While in use, `clients` threads each request `url` every `interval` seconds (bounded by the
    block's duration); collects the answers that were not 200."""

    def __init__(
        self, url: str, clients: int = 2, interval: float = 0.05, verify: bool | str = True
    ) -> None:
        self.sent = 0
        self.failed: list[str] = []
        self._url = url
        # For HTTPS: True (the system CAs) or the path of a CA bundle, e.g. a test CA's root.
        self._verify = verify
        self._interval = interval
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(clients)]

    def _run(self) -> None:
        with requests.Session() as session:
            while not self._stop.wait(self._interval):
                try:
                    status = str(session.get(self._url, timeout=5, verify=self._verify).status_code)
                except requests.RequestException as error:
                    status = type(error).__name__
                with self._lock:
                    self.sent += 1
                    if status != "200":
                        self.failed.append(status)

    def __enter__(self) -> "RequestLoop":
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

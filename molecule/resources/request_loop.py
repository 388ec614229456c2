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
        self.started = time.monotonic()

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
                        self.failed.append(f"{status} at {time.monotonic() - self.started:.1f}s")

    def __enter__(self) -> "RequestLoop":
        self.started = time.monotonic()
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def moments(self) -> list[float]:
        """When each failed request failed, in seconds since the loop started."""
        return sorted(float(entry.rsplit(" at ", 1)[1][:-1]) for entry in self.failed)

    def figure(self) -> str:
        """ "<failed> of <sent>", and how long the failures lasted: a benchmark's figure."""
        return failure_figure(self.moments(), self.sent)

    def summary(self) -> str:
        """The failures as runs of one answer, e.g. "503 x40 from 32.5s to 36.4s; 200 ...". A long
        outage is one line, not thousands."""
        runs: list[list] = []
        for entry in self.failed:
            status, moment = entry.rsplit(" at ", 1)
            if runs and runs[-1][0] == status:
                runs[-1][1] += 1
                runs[-1][3] = moment
            else:
                runs.append([status, 1, moment, moment])
        return "; ".join(
            f"{status} at {first}" if count == 1 else f"{status} x{count} from {first} to {last}"
            for status, count, first, last in runs
        )

    def assert_none_failed(self) -> None:
        assert self.sent > 0, "no request was sent"
        failed = len(self.failed)
        assert self.failed == [], f"{failed} of {self.sent} requests failed: {self.summary()}"


class RequestLoops:
    """One RequestLoop per URL at once (each edge node of a Swarm, say), one client each."""

    def __init__(self, urls: list[str], host: str | None = None, interval: float = 0.05) -> None:
        self.loops = {
            url: RequestLoop(url, clients=1, interval=interval, host=host) for url in urls
        }

    def __enter__(self) -> "RequestLoops":
        for loop in self.loops.values():
            loop.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        for loop in self.loops.values():
            loop.__exit__(*exc_info)

    @property
    def sent(self) -> int:
        return sum(loop.sent for loop in self.loops.values())

    def moments(self) -> list[float]:
        """When each failed request failed, in seconds since the loops started."""
        return sorted(moment for loop in self.loops.values() for moment in loop.moments())

    def figure(self) -> str:
        return failure_figure(self.moments(), self.sent)

    def assert_none_failed(self) -> None:
        for url, loop in self.loops.items():
            assert loop.sent > 0, f"no request was sent to {url}"
            assert loop.failed == [], (
                f"{url}: {len(loop.failed)} of {loop.sent} requests failed: {loop.summary()}"
            )


def failure_figure(moments: list[float], sent: int) -> str:
    figure = f"{len(moments)} of {sent}"
    if moments:
        figure += f" (within {moments[-1] - moments[0]:.1f} s)"
    return figure

"""Filter container_summary: what playbooks/status.yml shows of each container.

    (inspect_output | from_json) | django_deploy.stack.container_summary

takes `docker container inspect` output and returns, per container name: its state (with the
health status when it has a health check), image, release label, when it started (with the
uptime of a running one) and its restarts. Its documentation: container_summary.yml.
"""

from datetime import UTC, datetime

RELEASE_LABEL = "django-deploy.release"


def _uptime(seconds: float) -> str:
    days, rest = divmod(int(seconds), 86400)
    return f"{days}d {rest // 3600}h {rest % 3600 // 60}m"


def container_summary(containers: list[dict], now: datetime | None = None) -> dict:
    now = now or datetime.now(UTC)
    summary = {}
    for container in sorted(containers, key=lambda c: c["Name"]):
        state = container["State"]
        started = datetime.strptime(state["StartedAt"][:19], "%Y-%m-%dT%H:%M:%S")
        since = started.strftime("%Y-%m-%d %H:%M:%SZ")
        if state.get("Running"):
            since += f" ({_uptime((now - started.replace(tzinfo=UTC)).total_seconds())})"
        health = state.get("Health")
        summary[container["Name"].lstrip("/")] = {
            "state": state["Status"] + (f" ({health['Status']})" if health else ""),
            "image": container["Config"]["Image"],
            "release": (container["Config"].get("Labels") or {}).get(RELEASE_LABEL, "-"),
            "up since": since,
            "restarts": container.get("RestartCount", 0),
        }
    return summary


class FilterModule:
    def filters(self):
        return {"container_summary": container_summary}

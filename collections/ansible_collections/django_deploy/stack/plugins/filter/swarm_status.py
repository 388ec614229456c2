"""Filter swarm_status: what playbooks/status.yml shows of each service of a Swarm stack.

    services | django_deploy.stack.swarm_status(tasks)

takes the lines of `docker service ls --format '{{json .}}'` (parsed) and, for each service in
that order, the parsed lines of `docker service ps <service> --filter desired-state=running
--format '{{json .}}'`; returns, per service name, its mode, tasks running of wanted, image, and
each task's node and state (with its error, if any). Its documentation: swarm_status.yml.
"""


def _task(task: dict) -> str:
    line = f"{task.get('Node') or '(no node)'}: {task.get('CurrentState', '?')}"
    return line + (f" ({task['Error']})" if task.get("Error") else "")


def swarm_status(services: list[dict], tasks: list[list[dict]]) -> dict:
    if len(services) != len(tasks):
        raise ValueError(f"{len(services)} services, but the tasks of {len(tasks)}")
    return {
        service["Name"]: {
            "mode": service.get("Mode", "?"),
            "tasks running": service.get("Replicas", "?"),
            "image": service.get("Image", "?"),
            "tasks": sorted(_task(task) for task in service_tasks),
        }
        for service, service_tasks in zip(services, tasks, strict=True)
    }


class FilterModule:
    def filters(self):
        return {"swarm_status": swarm_status}

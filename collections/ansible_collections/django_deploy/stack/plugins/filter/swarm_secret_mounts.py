"""Filters swarm_secret_mounts and swarm_spec_secret_mounts: the secrets a Swarm service mounts,
from what made them, or from a service's spec (to run another release with the same ones).

    secrets: "{{ __web_secrets.results | django_deploy.stack.swarm_secret_mounts(uid=1000) }}"
    secrets: "{{ service.Spec | django_deploy.stack.swarm_spec_secret_mounts }}"

Each result of a community.docker.docker_secret loop (rolling_versions: true) names the secret's
current version (secret_name); its loop item's key is the file the task reads it from, under
/run/secrets. Names only: no secret's value. Its documentation: swarm_secret_mounts.yml.
"""


def swarm_secret_mounts(results, uid, gid=None, mode: str = "0400") -> list[dict]:
    owner = str(uid)
    return [
        {
            "name": result["secret_name"],
            "target": result["item"]["key"],
            "uid": owner,
            "gid": owner if gid is None else str(gid),
            "mode": mode,
        }
        for result in results
    ]


def swarm_spec_secret_mounts(spec) -> list[dict]:
    secrets = (((spec or {}).get("TaskTemplate") or {}).get("ContainerSpec") or {}).get("Secrets")
    return [
        {
            "name": secret["SecretName"],
            "target": secret["File"]["Name"],
            "uid": str(secret["File"]["UID"]),
            "gid": str(secret["File"]["GID"]),
            "mode": format(secret["File"]["Mode"], "04o"),
        }
        for secret in secrets or []
    ]


class FilterModule:
    def filters(self):
        return {
            "swarm_secret_mounts": swarm_secret_mounts,
            "swarm_spec_secret_mounts": swarm_spec_secret_mounts,
        }

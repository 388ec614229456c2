"""Filter swarm_secret_mounts: the secrets a Swarm service mounts, from what made them.

    secrets: "{{ __web_secrets.results | django_deploy.stack.swarm_secret_mounts(uid=1000) }}"

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


class FilterModule:
    def filters(self):
        return {"swarm_secret_mounts": swarm_secret_mounts}

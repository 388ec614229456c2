"""plugins/modules/swarm_service.py against a fake engine: services and tasks it keeps as the
Engine API shows them, a scheduler that plays one scripted outcome per update (converge, fail and
roll back, or never place the new tasks) as the clock moves, and a fake docker CLI for logs."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from ansible_collections.django_deploy.stack.plugins.module_utils.docker_api import DockerApi
from ansible_collections.django_deploy.stack.plugins.module_utils.docker_cli import DockerCli
from ansible_collections.django_deploy.stack.plugins.modules.swarm_service import (
    NANOSECONDS,
    SPEC_LABEL,
    ServiceError,
    apply,
    build_spec,
    progress,
    run_job,
    spec_digest,
)

SECRET = "s3cret-key-value"  # noqa: S105 (a made-up secret the output must not show)


def params(**overrides):
    base = {
        "name": "blog_web",
        "state": "present",
        "image": "10.0.0.1:5000/blog/web@sha256:" + "a" * 64,
        "mode": "replicated",
        "replicas": 2,
        "command": [],
        "args": [],
        "env": {"B": "2", "A": "1"},
        "hostname": "",
        "mounts": [],
        "secrets": [],
        "networks": ["blog_swarm"],
        "endpoint_mode": "dnsrr",
        "publish": [],
        "constraints": ["node.labels.web==true"],
        "max_replicas_per_node": 0,
        "spread": "",
        "update_order": "start-first",
        "monitor": 5,
        "stop_grace_period": 30,
        "stop_signal": "",
        "healthcheck": {},
        "init": False,
        "labels": {},
        "container_labels": {},
        "revision": "",
        "template": "",
        "timeout": 60,
        "log_lines": 20,
        "redact": {"django_web_secret_key": SECRET},
    }
    base.update(overrides)
    return base


class FakeEngine:
    """The engine's API for services, tasks and secrets. `outcome` says what the scheduler does
    with the next spec it is given: converge, fail (a task of the new spec dies, Swarm rolls back)
    or stuck (the new tasks stay pending)."""

    def __init__(self, outcome="converge"):
        self.services = {}
        self.tasks = []
        self.secrets = {"blog_secret_key_v2": "sec2"}
        self.outcome = outcome
        self.requests = []
        self.now = 1000.0
        self.cli = []
        self.pending_steps = 0
        self.reject_error = (
            "network sandbox join failed: the local data-plane address is not currently known"
        )

    # The clock moves only when the module sleeps; the scheduler acts then.
    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds
        self.schedule()

    def _new_tasks(self, service, state="running", err=""):
        spec = service["Spec"]
        count = spec["Mode"].get("Replicated", {}).get("Replicas", 2)
        return [
            {
                "ID": "task%d" % (len(self.tasks) + index),
                "ServiceID": service["ID"],
                "CreatedAt": "2030-01-01T00:00:00.000000000Z",
                "UpdatedAt": "2030-01-01T00:00:%02d.000000000Z" % (len(self.tasks) + index),
                "DesiredState": "running",
                "Spec": json.loads(json.dumps(spec["TaskTemplate"])),
                "Status": {
                    "State": state,
                    "Err": err,
                    "ContainerStatus": {"ContainerID": "c1", "ExitCode": 3 if err else 0},
                },
            }
            for index in range(count)
        ]

    def schedule(self):
        for service in self.services.values():
            if not service.get("_pending"):
                continue
            service["_pending"] = False
            for task in self.tasks:
                if task["ServiceID"] == service["ID"] and task["DesiredState"] == "running":
                    task["DesiredState"] = "shutdown"
            if "ReplicatedJob" in service["Spec"]["Mode"]:
                state = "complete" if self.outcome == "converge" else "failed"
                err = "" if self.outcome == "converge" else "task: non-zero exit (1)"
                self.tasks += self._new_tasks(service, state, err)[:1]
            elif self.outcome == "converge":
                self.tasks += self._new_tasks(service)
                if service.get("PreviousSpec"):
                    service["UpdateStatus"] = {"State": "completed"}
            elif self.outcome == "fail":
                failed = self._new_tasks(service, "failed", "task: non-zero exit (3)")
                for task in failed:
                    task["DesiredState"] = "shutdown"
                self.tasks += failed
                service["Spec"] = service["PreviousSpec"]
                self.tasks += self._new_tasks(service)
                service["UpdateStatus"] = {"State": "rollback_completed"}
            elif self.outcome in ("reject", "reject once"):
                rejected = self._new_tasks(service, "rejected", self.reject_error)
                for task in rejected:
                    task["DesiredState"] = "shutdown"
                    task["Status"]["ContainerStatus"] = {}
                self.tasks += rejected
                service["Spec"] = service["PreviousSpec"]
                self.tasks += self._new_tasks(service)
                service["UpdateStatus"] = {"State": "rollback_completed"}
                if self.outcome == "reject once":
                    self.outcome = "converge"
            elif self.outcome == "stuck":
                stuck = self._new_tasks(service, "pending", "no suitable node (port 80 in use)")
                for task in stuck:
                    task["Status"]["ContainerStatus"] = {}
                self.tasks += stuck
                service["UpdateStatus"] = {"State": "updating"}
                service["_pending"] = False

    def transport(self, method, url, body):
        parts = urlsplit(url)
        path = parts.path.split("/", 2)[2]
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        self.requests.append((method, path, query, body))
        if method == "GET" and path.startswith("services/"):
            service = self.services.get(path.split("/")[1])
            if service is None:
                return 404, json.dumps({"message": "service not found"})
            return 200, json.dumps({k: v for k, v in service.items() if not k.startswith("_")})
        if method == "GET" and path == "tasks":
            name = json.loads(query["filters"])["service"][0]
            service = self.services[name]
            return 200, json.dumps([t for t in self.tasks if t["ServiceID"] == service["ID"]])
        if method == "GET" and path == "secrets":
            names = json.loads(query["filters"])["name"]
            found = [{"ID": "id-" + n, "Spec": {"Name": n}} for n in names if n in self.secrets]
            return 200, json.dumps(found)
        if method == "POST" and path == "services/create":
            spec = json.loads(body)
            service = {"ID": "svc1", "Version": {"Index": 1}, "Spec": spec, "_pending": True}
            self.services[spec["Name"]] = service
            return 201, json.dumps({"ID": "svc1"})
        if method == "POST" and path.endswith("/update"):
            service = next(s for s in self.services.values() if s["ID"] == path.split("/")[1])
            if int(query["version"]) != service["Version"]["Index"]:
                return 500, json.dumps({"message": "update out of sequence"})
            service["PreviousSpec"] = service["Spec"]
            service["Spec"] = json.loads(body)
            service["Version"]["Index"] += 1
            service["UpdateStatus"] = None
            service["_pending"] = True
            return 200, json.dumps({"Warnings": None})
        if method == "DELETE" and path.startswith("services/"):
            del self.services[path.split("/")[1]]
            return 200, ""
        raise AssertionError("unexpected request %s %s" % (method, url))

    def run_cli(self, argv, data=None, environ_update=None):
        self.cli.append(argv[1:])
        if argv[1:3] == ["service", "logs"]:
            return 0, "blog_web.1@web2 | SECRET_KEY=%s\nTraceback: boom\n" % SECRET, ""
        if argv[1:3] == ["service", "rollback"]:
            for service in self.services.values():
                service["Spec"] = service["PreviousSpec"]
                service["UpdateStatus"] = {"State": "rollback_completed"}
            return 0, "", ""
        raise AssertionError(argv)

    def apply(self, options):
        api = DockerApi(self.transport)
        docker = DockerCli(self.run_cli)
        return apply(api, docker, options, clock=self.clock, sleep=self.sleep)

    def run_job(self, options):
        api = DockerApi(self.transport)
        docker = DockerCli(self.run_cli)
        return run_job(api, docker, options, clock=self.clock, sleep=self.sleep)

    def posts(self):
        return [request for request in self.requests if request[0] == "POST"]


def test_spec_says_what_the_options_say():
    options = params(
        publish=[{"published": 80, "target": 8080}],
        secrets=[
            {"name": "blog_secret_key_v2", "target": "secret_key", "uid": 10001, "mode": "0400"}
        ],
        healthcheck={"test": ["uwsgi-check"], "interval": 2, "retries": 5},
        max_replicas_per_node=2,
        spread="node.labels.web",
    )
    spec = build_spec(options, {"blog_secret_key_v2": "id9"}, 3)
    container = spec["TaskTemplate"]["ContainerSpec"]
    assert container["Env"] == ["A=1", "B=2"]
    assert container["StopGracePeriod"] == 30 * NANOSECONDS
    assert container["Secrets"] == [
        {
            "SecretID": "id9",
            "SecretName": "blog_secret_key_v2",
            "File": {"Name": "secret_key", "UID": "10001", "GID": "0", "Mode": 0o400},
        }
    ]
    assert container["Healthcheck"]["Test"] == ["CMD", "uwsgi-check"]
    assert container["Healthcheck"]["Interval"] == 2 * NANOSECONDS
    assert spec["EndpointSpec"] == {
        "Mode": "dnsrr",
        "Ports": [
            {"Protocol": "tcp", "TargetPort": 8080, "PublishedPort": 80, "PublishMode": "host"}
        ],
    }
    assert spec["TaskTemplate"]["Placement"]["MaxReplicas"] == 2
    assert spec["TaskTemplate"]["ForceUpdate"] == 3
    assert spec["UpdateConfig"]["Order"] == "start-first"
    assert spec["UpdateConfig"]["FailureAction"] == "rollback"
    assert spec["Labels"][SPEC_LABEL] == spec_digest(options)
    assert build_spec(params(mode="global"), {}, 0)["Mode"] == {"Global": {}}
    aliased = build_spec(params(networks=[{"name": "blog_swarm", "aliases": ["mysql"]}]), {}, 0)
    assert aliased["TaskTemplate"]["Networks"] == [{"Target": "blog_swarm", "Aliases": ["mysql"]}]
    assert spec["TaskTemplate"]["Networks"] == [{"Target": "blog_swarm"}]


def test_a_new_service_is_created_and_waited_for():
    engine = FakeEngine()
    result = engine.apply(params())
    assert result["changed"] and result["created"]
    assert [request[1] for request in engine.posts()] == ["services/create"]
    running = [t for t in engine.tasks if t["DesiredState"] == "running"]
    assert len(running) == 2 and all(t["Status"]["State"] == "running" for t in running)


def test_the_same_options_change_nothing():
    engine = FakeEngine()
    engine.apply(params())
    again = engine.apply(params())
    assert not again["changed"]
    assert len(engine.posts()) == 1


def test_an_update_goes_to_the_version_read_and_waits_until_completed():
    engine = FakeEngine()
    engine.apply(params())
    result = engine.apply(params(env={"A": "new"}))
    assert result["changed"] and not result["created"]
    method, path, query, body = engine.posts()[-1]
    assert path == "services/svc1/update" and query["version"] == "1"
    assert json.loads(body)["TaskTemplate"]["ContainerSpec"]["Env"] == ["A=new"]
    assert result["seconds"] >= 1


def test_a_rolled_back_update_fails_with_the_task_error_and_logs_redacted():
    engine = FakeEngine()
    engine.apply(params())
    engine.outcome = "fail"
    with pytest.raises(ServiceError) as failure:
        engine.apply(params(image="registry/blog/web@sha256:" + "b" * 64))
    message = str(failure.value)
    assert "failed and Swarm rolled it back" in message
    assert "task: non-zero exit (3)" in message and "exit status 3" in message
    assert "Traceback: boom" in message
    assert SECRET not in message and "<django_web_secret_key>" in message
    # The service is back on the spec it had: a rerun tries the update again.
    assert engine.services["blog_web"]["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"].endswith(
        "a" * 64
    )


def test_an_update_a_node_rejected_before_any_container_is_sent_again():
    engine = FakeEngine()
    engine.apply(params())
    engine.outcome = "reject once"
    result = engine.apply(params(env={"A": "new"}))
    assert result["changed"]
    updates = [post for post in engine.posts() if post[1].endswith("/update")]
    assert len(updates) == 2
    assert engine.services["blog_web"]["Spec"]["TaskTemplate"]["ContainerSpec"]["Env"] == ["A=new"]


def test_an_update_rejected_for_another_reason_is_not_sent_again():
    engine = FakeEngine()
    engine.apply(params())
    engine.outcome = "reject once"
    engine.reject_error = "No such image: 10.0.0.1:5000/blog/web@sha256:" + "c" * 64
    with pytest.raises(ServiceError) as failure:
        engine.apply(params(env={"A": "new"}))
    assert "No such image" in str(failure.value)
    assert len([post for post in engine.posts() if post[1].endswith("/update")]) == 1


def test_an_update_rejected_again_fails_with_the_nodes_reason():
    engine = FakeEngine()
    engine.apply(params())
    engine.outcome = "reject"
    with pytest.raises(ServiceError) as failure:
        engine.apply(params(env={"A": "new"}))
    assert "data-plane address is not currently known" in str(failure.value)
    assert len([post for post in engine.posts() if post[1].endswith("/update")]) == 2
    assert engine.services["blog_web"]["Spec"]["TaskTemplate"]["ContainerSpec"]["Env"] != ["A=new"]


def test_new_tasks_that_are_never_placed_are_rolled_back_after_the_timeout():
    engine = FakeEngine()
    engine.apply(params())
    engine.outcome = "stuck"
    with pytest.raises(ServiceError) as failure:
        engine.apply(params(env={"A": "3"}, timeout=10))
    message = str(failure.value)
    assert "within 10 s" in message
    assert "no suitable node (port 80 in use)" in message
    assert "It was rolled back" in message
    assert ["service", "rollback", "--detach", "blog_web"] in engine.cli
    # A task that never started has no logs to show.
    assert "never started" in message
    assert not any(command[:2] == ["service", "logs"] for command in engine.cli)


def test_a_missing_secret_is_refused_before_any_change():
    engine = FakeEngine()
    with pytest.raises(ServiceError, match="No Swarm secret named blog_secret_key_v3"):
        engine.apply(params(secrets=[{"name": "blog_secret_key_v3"}]))
    assert engine.posts() == []


def test_a_new_revision_replaces_the_tasks():
    engine = FakeEngine()
    engine.apply(params())
    engine.apply(params(revision="config-2"))
    body = json.loads(engine.posts()[-1][3])
    assert body["TaskTemplate"]["ForceUpdate"] == 1


def test_check_mode_reports_the_change_without_making_it():
    engine = FakeEngine()
    api, docker = DockerApi(engine.transport), DockerCli(engine.run_cli)
    result = apply(api, docker, params(), check_mode=True, clock=engine.clock, sleep=engine.sleep)
    assert result["changed"] and engine.posts() == []


def test_progress_waits_for_every_wanted_task_on_the_current_spec():
    service = {
        "Spec": {
            "Mode": {"Replicated": {"Replicas": 2}},
            "TaskTemplate": {"ContainerSpec": {"Image": "new"}},
        }
    }
    new = {
        "DesiredState": "running",
        "Spec": {"ContainerSpec": {"Image": "new"}},
        "Status": {"State": "running"},
    }
    old = {
        "DesiredState": "running",
        "Spec": {"ContainerSpec": {"Image": "old"}},
        "Status": {"State": "running"},
    }
    starting = dict(new, Status={"State": "starting"})
    assert progress(service, [new, new])[0]
    assert not progress(service, [new, old])[0]
    assert not progress(service, [new, starting])[0]
    assert not progress(service, [new])[0]
    assert not progress(dict(service, UpdateStatus={"State": "updating"}), [new, new])[0]


def test_a_job_runs_once_to_its_end_and_returns_its_output_without_secrets():
    engine = FakeEngine()
    engine.services["blog_release"] = {"ID": "old", "Spec": {}, "Version": {"Index": 1}}
    result = engine.run_job(params(name="blog_release", mode="job", args=["python", "x"]))
    assert result["changed"]
    assert "Traceback: boom" in result["stdout"] and SECRET not in result["stdout"]
    [create] = [r for r in engine.posts() if r[1] == "services/create"]
    spec = json.loads(create[3])
    assert spec["Mode"] == {"ReplicatedJob": {"MaxConcurrent": 1, "TotalCompletions": 1}}
    assert spec["TaskTemplate"]["RestartPolicy"] == {"Condition": "none"}
    # The image's health check (a server's) would have Swarm kill a long job.
    assert spec["TaskTemplate"]["ContainerSpec"]["Healthcheck"] == {"Test": ["NONE"]}
    assert "UpdateConfig" not in spec
    # The job of an earlier run went first; this one is gone once it ended.
    assert engine.services == {}


def test_a_job_from_a_template_runs_what_that_service_runs_with_its_own_command():
    engine = FakeEngine()
    engine.apply(
        params(
            secrets=[{"name": "blog_secret_key_v2", "target": "secret_key"}],
            healthcheck={"test": ["uwsgi-healthcheck"]},
            max_replicas_per_node=1,
        )
    )
    web = engine.services["blog_web"]["Spec"]["TaskTemplate"]
    job = params(
        name="blog_web_manage",
        mode="job",
        image=None,
        template="blog_web",
        args=["/bin/sh", "-c", "exec python manage.py check"],
        container_labels={"django-deploy.service": "manage"},
    )
    result = engine.run_job(job)
    assert result["changed"] and "Traceback: boom" in result["stdout"]
    spec = json.loads([r for r in engine.posts() if r[1] == "services/create"][-1][3])
    container = spec["TaskTemplate"]["ContainerSpec"]
    assert container["Image"] == web["ContainerSpec"]["Image"]
    assert container["Env"] == ["A=1", "B=2"]
    assert container["Secrets"] == web["ContainerSpec"]["Secrets"]
    assert container["Args"] == ["/bin/sh", "-c", "exec python manage.py check"]
    assert container["Labels"]["django-deploy.service"] == "manage"
    assert container["Healthcheck"] == {"Test": ["NONE"]}
    assert web["ContainerSpec"]["Healthcheck"]["Test"] == ["CMD", "uwsgi-healthcheck"]
    assert spec["TaskTemplate"]["Networks"] == web["Networks"]
    assert spec["TaskTemplate"]["Placement"] == {"Constraints": ["node.labels.web==true"]}
    assert spec["TaskTemplate"]["RestartPolicy"] == {"Condition": "none"}
    assert spec["Mode"] == {"ReplicatedJob": {"MaxConcurrent": 1, "TotalCompletions": 1}}
    assert list(engine.services) == ["blog_web"]


def test_a_job_from_a_service_that_does_not_run_says_to_deploy_first():
    engine = FakeEngine()
    with pytest.raises(ServiceError) as failure:
        engine.run_job(params(name="blog_web_manage", mode="job", template="blog_web"))
    assert "deploy the site first" in str(failure.value)
    assert not engine.posts()


def test_a_failed_job_fails_with_its_error_and_log_and_is_removed():
    engine = FakeEngine(outcome="fail")
    with pytest.raises(ServiceError) as failure:
        engine.run_job(params(name="blog_release", mode="job"))
    message = str(failure.value)
    assert "blog_release failed" in message and "non-zero exit (1)" in message
    assert "Traceback: boom" in message
    assert engine.services == {}


def test_an_unchanged_service_after_a_rollback_is_left_alone():
    engine = FakeEngine()
    engine.apply(params())
    engine.services["blog_web"]["UpdateStatus"] = {"State": "rollback_completed"}
    posts = len(engine.posts())
    result = engine.apply(params())
    assert not result["changed"] and len(engine.posts()) == posts

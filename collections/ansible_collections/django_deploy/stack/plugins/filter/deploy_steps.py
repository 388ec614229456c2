"""Filters deploy_step_role and deploy_step_selected: the steps the deploy lock's wrapper runs.

    __step | django_deploy.stack.deploy_step_role
    __step | django_deploy.stack.deploy_step_selected(ansible_run_tags, ansible_skip_tags)

A step is a dict: role (a role of this collection by its short name, or any role by its full
name), tasks_from (default main) and tags (the tags that pick it, as a role's tags in a play).
"""

COLLECTION = "django_deploy.stack"


def step_role(step):
    """The step's role by its full name."""
    role = step["role"]
    return role if "." in role else f"{COLLECTION}.{role}"


def step_selected(step, run_tags, skip_tags):
    """Whether --tags and --skip-tags pick the step: a step without tags always runs (as the
    tag "always"); one with tags runs unless one of them is skipped, and when --tags names one of
    them or none was given."""
    tags = set(step.get("tags") or [])
    if not tags:
        return "always" not in set(skip_tags or [])
    if tags & set(skip_tags or []):
        return False
    run = set(run_tags or ["all"])
    return "all" in run or bool(tags & run)


class FilterModule:
    def filters(self):
        return {"deploy_step_role": step_role, "deploy_step_selected": step_selected}

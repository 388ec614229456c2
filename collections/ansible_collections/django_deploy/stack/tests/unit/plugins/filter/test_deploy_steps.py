"""plugins/filter/deploy_steps.py: the deploy lock's wrapper runs the steps --tags picks, by the
roles' full names."""

import pytest
from ansible_collections.django_deploy.stack.plugins.filter import deploy_steps


def test_short_names_are_the_collections_and_full_names_stay():
    assert deploy_steps.step_role({"role": "django_web"}) == "django_deploy.stack.django_web"
    assert deploy_steps.step_role({"role": "acme.site.extra"}) == "acme.site.extra"


@pytest.mark.parametrize(
    ("tags", "run_tags", "skip_tags", "runs"),
    [
        ([], ["all"], [], True),
        ([], ["nginx_proxy"], [], True),
        ([], ["all"], ["always"], False),
        (["django_web"], ["all"], [], True),
        (["django_web"], ["nginx_proxy"], [], False),
        (["django_web"], ["nginx_proxy", "django_web"], [], True),
        (["django_web"], ["all"], ["django_web"], False),
        (["mysql_server", "django_web"], ["django_web"], [], True),
        (["mysql_server", "django_web"], ["all"], ["mysql_server"], False),
    ],
)
def test_tags_pick_steps_as_they_pick_roles(tags, run_tags, skip_tags, runs):
    step = {"role": "django_web", "tags": tags}
    assert deploy_steps.step_selected(step, run_tags, skip_tags) is runs

"""site.yml --check --diff on the deployed host: it shows a change and makes none."""

import re

from conftest import host_state, run_site_yml
from playbook import failures


def test_check_diff_reports_a_changed_setting_and_changes_nothing(host):
    before = host_state(host)

    changes = '{"nginx_proxy_client_max_body_size": "20m", "django_web_uwsgi_max_requests": 997}'
    result = run_site_yml("--check", "--diff", "-e", changes)

    assert "+    client_max_body_size 20m;" in result.stdout, failures(result.stdout)
    assert "+max-requests = 997" in result.stdout, failures(result.stdout)
    assert re.search(r"Release [0-9a-f]{12} would replace [0-9a-f]{12}", result.stdout)
    recap = re.search(r"changed=(\d+)", result.stdout.rsplit("PLAY RECAP", 1)[-1])
    assert recap and int(recap.group(1)) > 0, "check mode reported no change"
    assert host_state(host) == before

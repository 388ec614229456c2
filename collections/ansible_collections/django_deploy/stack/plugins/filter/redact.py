"""Filter redact: text a task shows, with every secret in it replaced by its setting's name.

    output | django_deploy.stack.redact(dict(names | zip(query('ansible.builtin.vars', *names))))

A container's output may echo a setting (a failing release step printing its environment, a
health check quoting a password): the role shows `<django_web_secret_key>` instead. Its
documentation: redact.yml. The modules redact with the same function (module_utils/redact.py).
"""

from ansible_collections.django_deploy.stack.plugins.module_utils.redact import redact


class FilterModule:
    def filters(self):
        return {"redact": redact}

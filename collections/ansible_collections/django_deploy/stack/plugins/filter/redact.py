"""Filter redact: text a task shows, with every secret in it replaced by its setting's name.

    output | django_deploy.stack.redact(dict(names | zip(query('ansible.builtin.vars', *names))))

A container's output may echo a setting (a failing release step printing its environment, a
health check quoting a password): the role shows `<django_web_secret_key>` instead. Its
documentation: redact.yml.
"""


def redact(text, secrets: dict) -> str:
    shown = "" if text is None else str(text)
    # The longest first, so a secret that contains another is replaced whole.
    for name, value in sorted(secrets.items(), key=lambda item: -len(str(item[1] or ""))):
        if value:
            shown = shown.replace(str(value), f"<{name}>")
    return shown


class FilterModule:
    def filters(self):
        return {"redact": redact}

"""Filter shell_words: a command line split into its words as a POSIX shell would split them
(quotes group words, backslashes escape), without expanding anything.

    "migrate blog 0002" | django_deploy.stack.shell_words  ->  ["migrate", "blog", "0002"]

What ansible.builtin.command does with cmd, for a module that takes a list of arguments. Its
documentation: shell_words.yml.
"""

import shlex

from ansible.errors import AnsibleFilterError


def shell_words(line: str) -> list[str]:
    try:
        return shlex.split(str(line))
    except ValueError as error:
        raise AnsibleFilterError(f"cannot split {line!r} into words: {error}") from None


class FilterModule:
    def filters(self):
        return {"shell_words": shell_words}

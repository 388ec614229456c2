import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.django_deploy.stack.plugins.filter.shell_words import shell_words


def test_quotes_group_words_and_nothing_is_expanded():
    line = """shell -c "print('a b', $HOME)" --verbosity 2 'x y' \\$z `id`"""
    assert shell_words(line) == [
        "shell", "-c", "print('a b', $HOME)", "--verbosity", "2", "x y", "$z", "`id`",
    ]  # fmt: skip


def test_an_unbalanced_quote_is_refused():
    with pytest.raises(AnsibleFilterError, match="cannot split"):
        shell_words('shell -c "print(1)')

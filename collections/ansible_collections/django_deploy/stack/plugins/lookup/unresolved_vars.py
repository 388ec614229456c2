"""Lookup unresolved_vars: which of the given variables refer to a variable that is not defined.

    query('django_deploy.stack.unresolved_vars', *names)

returns the names, of those given, whose value cannot be templated because it refers to an
undefined variable (a setting wired to the vault, X: "{{ vault_X }}", run without the vault).
"""

from ansible.errors import AnsibleUndefinedVariable
from ansible.plugins.lookup import LookupBase

DOCUMENTATION = r"""
name: unresolved_vars
short_description: The variables whose value refers to an undefined variable
description:
  - Templates each named variable and returns the names of those that refer to a variable that
    is not defined. A name that is not a variable at all is returned too.
options:
  _terms:
    description: Variable names.
    required: true
"""

RETURN = r"""
_raw:
  description: The names that do not resolve, in the order given.
  type: list
  elements: str
"""


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        variables = variables or {}
        # ansible-core 2.16 templates against the templar's variables; newer ones against the
        # task's.
        self._templar.available_variables = variables
        missing = []
        for name in terms:
            try:
                self._templar.template(variables[name], fail_on_undefined=True)
            except (KeyError, AnsibleUndefinedVariable):
                missing.append(name)
        return missing

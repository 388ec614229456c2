"""Callback preload_connections: each play's connection plugins imported once, in the controller's
main process, before its first task.

Ansible runs every task in a worker process forked from the main one, and a worker imports the
task's connection plugin unless the main process has it already. A collection's plugin, such as
community.docker.docker_api, is compiled from source on each such import (the collection loader
keeps no byte code): about 70 ms per task, seconds per deploy. Imported here, the workers inherit
it. Nothing else changes; if the plugin cannot be found here, the worker reports that as usual.
"""

from ansible.plugins.callback import CallbackBase
from ansible.plugins.loader import connection_loader

DOCUMENTATION = r"""
name: preload_connections
type: aggregate
short_description: Import each play's connection plugins once, before its tasks fork workers
description:
  - Reads the C(ansible_connection) of the play's hosts from the inventory (the configured default
    transport for hosts that set none) and imports each of those connection plugins in the
    controller's main process, so the worker process of each task need not import it again.
requirements:
  - Enabled in C(callbacks_enabled).
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "preload_connections"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._loaded = set()

    def v2_playbook_on_play_start(self, play):
        try:
            inventory = play.get_variable_manager()._inventory
            hosts = inventory.get_hosts(play.hosts)
        except Exception:  # noqa: BLE001 - an optimisation only: the play runs as it would without it
            return
        names = {host.get_vars().get("ansible_connection", "ssh") for host in hosts}
        for name in sorted(names - self._loaded):
            self._loaded.add(name)
            if isinstance(name, str) and "{" not in name:
                # The class only: no connection is made here.
                connection_loader.get(name, class_only=True)

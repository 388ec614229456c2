"""Every plugin of the collection is documented in YAML that parses, as ansible-doc reads it:
modules and lookups in their DOCUMENTATION, EXAMPLES and RETURN strings, each filter and test
in a sidecar file named after it."""

import ast
from pathlib import Path

import pytest
import yaml
from ansible_collections.django_deploy.stack.plugins.filter import (
    apt_policy,
    container_summary,
    deploy_steps,
    redact,
    settings,
    systemd_calendar,
)
from ansible_collections.django_deploy.stack.plugins.test import settings as test_settings

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
CODE_PLUGINS = sorted(
    path for kind in ("modules", "lookup", "callback") for path in (PLUGINS / kind).glob("*.py")
)
JINJA_PLUGINS = [
    *(
        (PLUGINS / "filter", name)
        for module in (systemd_calendar,)
        for name in module.FilterModule().filters()
    ),
    *(
        (PLUGINS / "filter", name)
        for module in (apt_policy, container_summary, deploy_steps, redact, settings)
        for name in module.FilterModule().filters()
    ),
    *((PLUGINS / "test", name) for name in test_settings.TestModule().tests()),
]


def doc_strings(path: Path) -> dict[str, str]:
    tree = ast.parse(path.read_text())
    return {
        node.targets[0].id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id in ("DOCUMENTATION", "EXAMPLES", "RETURN")
        and isinstance(node.value, ast.Constant)
    }


@pytest.mark.parametrize("path", CODE_PLUGINS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_module_and_lookup_docs_parse(path):
    docs = doc_strings(path)
    assert "DOCUMENTATION" in docs, f"{path.name} has no DOCUMENTATION"
    documentation = yaml.safe_load(docs["DOCUMENTATION"])
    assert documentation.get("short_description"), path.name
    name = documentation.get("module", documentation.get("name"))
    assert name == path.stem, f"{path.name} documents {name}"
    for other in ("EXAMPLES", "RETURN"):
        if other in docs:
            yaml.safe_load(docs[other])


@pytest.mark.parametrize(("directory", "name"), JINJA_PLUGINS, ids=lambda v: getattr(v, "name", v))
def test_each_filter_and_test_has_a_sidecar_doc(directory, name):
    sidecar = directory / f"{name}.yml"
    assert sidecar.is_file(), f"{name} has no {sidecar.name}"
    doc = yaml.safe_load(sidecar.read_text())
    assert doc["DOCUMENTATION"]["name"] == name
    assert doc["DOCUMENTATION"]["short_description"]
    assert "_value" in doc["RETURN"]

"""plugins/lookup/django_project: a project's settings module, requirement files and Procfile."""

import textwrap

import pytest
from ansible_collections.django_deploy.stack.plugins.lookup.django_project import django_project

MANAGE_PY = """\
import os, sys
def main():
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "manage.py").write_text(MANAGE_PY)
    (tmp_path / "mysite").mkdir()
    (tmp_path / "mysite" / "__init__.py").write_text("")
    (tmp_path / "mysite" / "settings.py").write_text("DEBUG = False\n")
    (tmp_path / "requirements.txt").write_text("Django>=5.2\n")
    return tmp_path


def test_a_startproject_site_needs_nothing_more(project):
    found = django_project(str(project))

    assert found.pop("dependency_digest")
    assert found == {
        "settings_module": "mysite.settings",
        "requirements": ["requirements.txt"],
        "build_files": [
            {"src": str(project / "requirements.txt"), "dest": "project/requirements.txt"}
        ],
        "processes": {},
        "django_version": "",
        "errors": [],
    }


@pytest.mark.parametrize(
    "line",
    [
        'os.environ["DJANGO_SETTINGS_MODULE"] = "mysite.settings"',
        'os.environ.setdefault(\n        "DJANGO_SETTINGS_MODULE", "mysite.settings"\n    )',
    ],
)
def test_other_ways_manage_py_names_its_settings(project, line):
    (project / "manage.py").write_text(f"import os\n{line}\n")

    assert django_project(str(project))["settings_module"] == "mysite.settings"


def test_settings_package_and_the_setting_that_overrides_manage_py(project):
    (project / "config" / "settings").mkdir(parents=True)
    (project / "config" / "settings" / "__init__.py").write_text("")
    (project / "manage.py").write_text(MANAGE_PY.replace("mysite.settings", "config.settings"))

    assert django_project(str(project))["errors"] == []
    found = django_project(str(project), settings_module="config.settings.production")
    assert (found["settings_module"], found["errors"]) == ("config.settings.production", [])


def test_includes_are_followed_from_each_files_directory(project):
    (project / "requirements").mkdir()
    (project / "requirements.txt").write_text("-r requirements/production.txt\n")
    (project / "requirements" / "production.txt").write_text(
        "-r base.txt\n--constraint=constraints.txt\ngunicorn\n"
    )
    (project / "requirements" / "base.txt").write_text("Django\n-r production.txt\n")
    (project / "requirements" / "constraints.txt").write_text("Django<6\n")

    assert django_project(str(project))["requirements"] == [
        "requirements.txt",
        "requirements/production.txt",
        "requirements/base.txt",
        "requirements/constraints.txt",
    ]


def test_procfile_process_types_in_file_order(project):
    (project / "Procfile").write_text(
        textwrap.dedent("""\
            # processes
            web: gunicorn mysite.wsgi
            release: python manage.py loaddata initial
            worker: celery -A mysite worker -l info
        """)
    )

    assert django_project(str(project))["processes"] == {
        "web": "gunicorn mysite.wsgi",
        "release": "python manage.py loaddata initial",
        "worker": "celery -A mysite worker -l info",
    }


def test_every_problem_is_named_with_what_to_change(project):
    (project / "manage.py").write_text(MANAGE_PY.replace("mysite.settings", "gone.settings"))
    (project / "requirements.txt").write_text("-r ../outside.txt\n-r missing.txt\n")
    (project / "Procfile").write_text("worker celery\nweb: a\nweb: b\n")

    errors = django_project(str(project))["errors"]

    assert len(errors) == 5, errors
    assert "gone.settings" in errors[0] and "django_web_settings_module" in errors[0]
    assert "../outside.txt" in errors[1] and "inside the project" in errors[1]
    assert "missing.txt is not a file" in errors[2]
    assert "Procfile line 1" in errors[3]
    assert "'web' comes twice" in errors[4]


def test_a_directory_without_manage_py(tmp_path):
    errors = django_project(str(tmp_path))["errors"]

    assert len(errors) == 1 and "has no manage.py" in errors[0]


def test_a_uv_project_installs_from_its_lock_with_its_pyproject(project):
    (project / "requirements.txt").unlink()
    (project / "pyproject.toml").write_text('[project]\nname = "mysite"\n')
    (project / "uv.lock").write_text("version = 1\n")

    found = django_project(str(project))

    assert found["errors"] == []
    assert found["requirements"] == ["uv.lock", "pyproject.toml"]
    assert [f["dest"] for f in found["build_files"]] == [
        "project/uv.lock",
        "project/pyproject.toml",
    ]
    # A requirements file, when there is one, is what the project deploys with.
    (project / "requirements.txt").write_text("Django\n")
    assert django_project(str(project))["requirements"] == ["requirements.txt"]
    # Named, in a subdirectory: the pyproject.toml beside it comes along.
    (project / "deps").mkdir()
    (project / "deps" / "uv.lock").write_text("version = 1\n")
    missing = django_project(str(project), requirements_file="deps/uv.lock")
    assert "deps/pyproject.toml is not a file of the project" in " ".join(missing["errors"])
    assert "django_web_requirements_file" in " ".join(missing["errors"])


def test_a_poetry_2_lock_is_what_the_image_installs(project):
    (project / "requirements.txt").unlink()
    (project / "pyproject.toml").write_text("[tool.poetry]\n")
    (project / "poetry.lock").write_text('[metadata]\nlock-version = "2.1"\n')

    found = django_project(str(project))

    assert found["errors"] == []
    assert found["requirements"] == ["poetry.lock", "pyproject.toml"]


def test_a_poetry_1_lock_is_refused_with_what_to_run(project):
    (project / "requirements.txt").unlink()
    (project / "pyproject.toml").write_text("[tool.poetry]\n")
    (project / "poetry.lock").write_text('[metadata]\nlock-version = "2.0"\n')

    errors = " ".join(django_project(str(project))["errors"])

    assert "django_web_requirements_file" in errors and "Poetry 1" in errors
    assert "poetry lock" in errors and "poetry export" in errors


def test_a_requirements_file_wins_over_a_lock_beside_it(project):
    (project / "pyproject.toml").write_text("[tool.poetry]\n")
    (project / "poetry.lock").write_text('[metadata]\nlock-version = "2.1"\n')

    assert django_project(str(project))["requirements"] == ["requirements.txt"]


@pytest.mark.parametrize(
    ("line", "version"),
    [
        ("Django==5.2.4", "5.2"),
        ("django ~= 4.2.0", "4.2"),
        ("Django[argon2]==6.0.*  # pinned", "6.0"),
        ("Django>=5.2", ""),
        ("django-environ==0.12.0", ""),
    ],
)
def test_the_django_release_a_requirement_pins(project, line, version):
    (project / "requirements.txt").write_text(f"{line}\nhumanize\n")

    assert django_project(str(project))["django_version"] == version


def test_a_django_that_needs_a_newer_python_than_the_base_image_is_refused(project):
    (project / "requirements.txt").write_text("-r base.txt\n")
    (project / "base.txt").write_text("Django==6.0.1\n")

    errors = django_project(str(project), base_image="debian:bookworm-slim")["errors"]

    assert len(errors) == 1
    assert "pins Django 6.0, which needs Python 3.12 or newer" in errors[0]
    assert (
        "debian:bookworm-slim (django_stack_base_image) has Debian bookworm's Python 3.11"
        in errors[0]
    )
    assert "debian:trixie-slim" in errors[0] and "(5.2 or older)" in errors[0]


@pytest.mark.parametrize(
    "base_image", ["debian:trixie-slim", "registry.example.org/debian:forky", "mycorp/python:3.13"]
)
def test_a_django_the_image_python_runs_or_an_unknown_image_passes(project, base_image):
    (project / "requirements.txt").write_text("Django==6.0.1\n")

    assert django_project(str(project), base_image=base_image)["errors"] == []


def test_a_lock_gives_the_django_release(project):
    (project / "requirements.txt").unlink()
    (project / "pyproject.toml").write_text("[project]\n")
    (project / "uv.lock").write_text('[[package]]\nname = "django"\nversion = "6.0.2"\n')

    found = django_project(str(project), base_image="debian:bullseye-slim")

    assert found["django_version"] == "6.0"
    assert "Debian bullseye's Python 3.9" in found["errors"][0]


def test_the_dependency_digest_follows_every_dependency_file(project):
    (project / "requirements.txt").write_text("-r requirements/base.txt\n")
    (project / "requirements").mkdir()
    (project / "requirements" / "base.txt").write_text("Django\n")
    before = django_project(str(project))["dependency_digest"]
    (project / "mysite" / "views.py").write_text("# code, not a dependency\n")
    assert django_project(str(project))["dependency_digest"] == before

    (project / "requirements" / "base.txt").write_text("Django\nhumanize\n")

    assert django_project(str(project))["dependency_digest"] != before


def test_the_dependency_digest_of_a_lock_project_follows_its_lock(project):
    (project / "requirements.txt").unlink()
    (project / "pyproject.toml").write_text("[project]\n")
    (project / "uv.lock").write_text("version = 1\n")
    before = django_project(str(project))["dependency_digest"]

    (project / "uv.lock").write_text("version = 1\n# relocked\n")

    assert django_project(str(project))["dependency_digest"] != before

# Entry points. `make demo` deploys the site to a throwaway local host and prints its URL;
# `make test` runs every test (what CI runs through .ci/run).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
# The first python3 >= 3.11 on PATH: ansible-core 2.19 needs it on the controller.
PYTHON := $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export ANSIBLE_FORCE_COLOR := $(if $(CI),0,1)
export PY_COLORS := $(if $(CI),0,1)

.PHONY: help setup setup-legacy collection harness demo demo-destroy status logs backup restore rollback manage benchmark lint docs pytest molecule molecule-scenarios test

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

setup: $(VENV)/.installed  ## Build .venv with the pinned controller requirements

$(VENV)/.installed: requirements.txt
	@test -n "$(PYTHON)" || { echo "make setup needs python3 >= 3.11 on PATH" >&2; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
		echo "$(PYTHON) lacks venv/ensurepip: install python3-venv (apt-get install python3-venv)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

# The legacy controller, for Ubuntu 16.04 and 18.04 hosts (Python 2.7 / 3.6), which ansible-core
# 2.17 and newer cannot manage: ansible 9 (ansible-core 2.16) from requirements-legacy.txt in
# .venv-legacy. ansible-core 2.16 runs on controller Python 3.10 to 3.12. Use it by path
# (.venv-legacy/bin/ansible-playbook site.yml), or with .venv-legacy/bin first on PATH.
VENV_LEGACY := .venv-legacy
PYTHON_LEGACY := $(shell for p in python3.12 python3.11 python3.10 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' 2>/dev/null \
	&& { echo $$p; break; }; done)

setup-legacy: $(VENV_LEGACY)/.installed  ## Build .venv-legacy (ansible-core 2.16) for Ubuntu 16.04/18.04 hosts

$(VENV_LEGACY)/.installed: requirements-legacy.txt
	@test -n "$(PYTHON_LEGACY)" || { echo "make setup-legacy needs python3.10, 3.11 or 3.12 on PATH (ansible-core 2.16)" >&2; exit 1; }
	@$(PYTHON_LEGACY) -c 'import venv, ensurepip' 2>/dev/null || { \
		echo "$(PYTHON_LEGACY) lacks venv/ensurepip: install python3-venv (apt-get install python3-venv)" >&2; exit 1; }
	$(PYTHON_LEGACY) -m venv $(VENV_LEGACY)
	$(VENV_LEGACY)/bin/pip install --quiet --upgrade pip
	$(VENV_LEGACY)/bin/pip install --quiet -r requirements-legacy.txt
	touch $@

# What `make harness` builds platform images for: every container host of the scenarios make runs,
# the docker scenario's two (MOLECULE_DISTRO, MOLECULE_DISTRO2: see molecule/docker/molecule.yml),
# debian13 (default, sandbox) and debian11 (default2). The vm scenario builds its own disk image.
export HARNESS_PLATFORMS := $(or $(MOLECULE_DISTRO),debian12),$(or $(MOLECULE_DISTRO2),debian13),debian13,debian11

harness: setup  ## Start a Docker engine, build base/platform images and the registry mirror
	ansible-playbook molecule/resources/harness.yml

# These run the harness once, first, for all their scenarios, whose create.yml then skips it.
molecule molecule-scenarios demo benchmark: export HARNESS_PREPARED := 1

lint: setup  ## ansible-lint (production), yamllint, ruff, shellcheck, role READMEs up to date
	yamllint --strict .
	ansible-lint
	ruff check .
	ruff format --check .
	shellcheck .ci/run $$(git ls-files '*.sh')
	python $(COLLECTION)/tests/shellcheck_host_scripts.py $(COLLECTION)/roles playbooks
	python $(COLLECTION)/docs/role_docs.py check $(DOC_ROLES)
	cd $(COLLECTION) && antsibull-changelog lint

# The collection with the deployment's roles, modules and plugins (ansible.cfg finds it here).
COLLECTION := collections/ansible_collections/django_deploy/stack
# Every role with a meta/argument_specs.yml: its README's variables section is generated from it.
DOC_ROLES = $(patsubst %/meta/argument_specs.yml,%,$(wildcard $(COLLECTION)/roles/*/meta/argument_specs.yml))

docs: setup  ## Regenerate each role README's variables section from meta/argument_specs.yml
	python $(COLLECTION)/docs/role_docs.py write $(DOC_ROLES)

collection: setup  ## Build the collection django_deploy.stack into dist/ (ansible-galaxy collection build)
	cd $(COLLECTION) && ansible-galaxy collection build --force --output-path $(CURDIR)/dist

pytest: setup  ## Unit tests of the collection's modules, plugins and roles, and of the harness (no throwaway hosts)
	pytest $(COLLECTION) playbooks/tests molecule/resources/tests

# The scenarios run at once, each line of their output prefixed with its scenario's name: one
# deploy at a time leaves a core idle while it waits on containers. The default scenario's tests
# run in two halves (tests/conftest.py: STACK_TESTS): on its own Debian 13 host with this
# controller, and on default2's Debian 11 host with the legacy controller (.venv-legacy), so
# both controllers deploy the whole site. The swarm scenario follows the docker scenario (the
# engine role first on its own hosts, then on a Swarm's). The vm scenario runs beside them from
# the start, not niced: niced beside four busy scenarios, its guest under software emulation got
# so little CPU that its reboot outlasted the 10 minutes it is given. Its disk image is built by
# its own create step (HARNESS_PREPARED unset).
# Each scenario's output is also kept in .cache/molecule-logs/, with its exit status; when one
# fails, its own failed tasks and tests (not the retries, nor the other scenarios' expected
# failures) are repeated at the very end, where a CI log's short tail shows them.
MOLECULE_LOGS = .cache/molecule-logs
molecule: harness setup-legacy  ## Every Molecule scenario on throwaway hosts
	$(MAKE) molecule-scenarios

molecule-scenarios:
	export STACK_TESTS=first; status=0; pids=; rm -rf $(MOLECULE_LOGS); mkdir -p $(MOLECULE_LOGS); \
	run() { scenario=$$1; shift; rc=0; "$$@" molecule test -s "$$scenario" 2>&1 \
	  | sed -u "s/^/[$$scenario] /" | tee "$(MOLECULE_LOGS)/$$scenario.log" || rc=$$?; \
	  echo "$$rc" >"$(MOLECULE_LOGS)/$$scenario.rc"; return "$$rc"; }; \
	{ engine=0; run docker nice -n 10 env || engine=$$?; \
	  run swarm env || engine=$$?; exit $$engine; } & pids="$$!"; \
	run vm env -u HARNESS_PREPARED & pids="$$pids $$!"; \
	run default env & pids="$$pids $$!"; \
	run default2 env PATH="$(CURDIR)/$(VENV_LEGACY)/bin:$$PATH" & pids="$$pids $$!"; \
	for pid in $$pids; do wait $$pid || status=$$?; done; \
	[ "$$status" -eq 0 ] || for rc in $(MOLECULE_LOGS)/*.rc; do \
	  [ "$$(cat "$$rc")" = 0 ] && continue; log=$${rc%.rc}.log; \
	  echo "== Scenario $$(basename "$${rc%.rc}") failed (exit $$(cat "$$rc")); whole log: $$log =="; \
	  grep -E '\] (FAILED|ERROR) |\] fatal: |\] E  |failed=[1-9]|Error: |CRITICAL ' "$$log" \
	    | grep -v -e '\] FAILED - RETRYING: ' -e '\] FAILED .*::' | tail -n 15 || true; \
	  grep -E '\] FAILED .*::' "$$log" | tail -n 5 || true; \
	done; \
	exit $$status

# Prints where the demo answers: the first site name and the port of the sandbox inventory.
PRINT_SANDBOX_URL = ansible-inventory -i inventory/sandbox/hosts.yml --host sandbox | python -c 'import json, sys; \
	s = json.load(sys.stdin); print("http://%s:%s/" % (s["django_stack_site_names"][0], s["django_stack_http_port"]))'

demo: harness  ## Deploy the site to a local throwaway host and print its URL
# Molecule's saved state still says "created" after the host was stopped or removed: forget it
# unless the host runs, so create.yml starts the host again or makes it afresh.
	[ "$$(docker container inspect --format '{{.State.Running}}' sandbox 2>/dev/null)" = true ] || molecule reset -s sandbox
	molecule create -s sandbox
	ansible-playbook molecule/sandbox/secrets.yml
	ansible-playbook -i inventory/sandbox/hosts.yml site.yml
	@url=$$($(PRINT_SANDBOX_URL)); printf '\nThe site answers at %s (admin: %sadmin/).\n' "$$url" "$$url"
	@echo "Log in as admin with vault_django_web_admin_password from inventory/sandbox/group_vars/all/vault.yml"

status: setup  ## Show the demo's live release, kept releases, containers and audit log
	ANSIBLE_CALLBACK_RESULT_FORMAT=yaml ansible-playbook -i inventory/sandbox/hosts.yml playbooks/status.yml

logs: setup  ## Show the end of the demo's service logs (LINES=<n>, SERVICE=web|mysql|nginx)
	ansible-playbook -i inventory/sandbox/hosts.yml playbooks/logs.yml $(if $(LINES),-e lines=$(LINES)) $(if $(SERVICE),-e service=$(SERVICE))

backup: setup  ## Take a backup of the demo's database and uploads now
	ansible-playbook -i inventory/sandbox/hosts.yml playbooks/backup.yml

restore: setup  ## Restore the demo's newest backup (BACKUP=<name> for another)
	ansible-playbook -i inventory/sandbox/hosts.yml playbooks/restore.yml $(if $(BACKUP),-e backup=$(BACKUP))

rollback: setup  ## Roll the demo back to the release live before the current one (RELEASE=<id> for another)
	ansible-playbook -i inventory/sandbox/hosts.yml playbooks/rollback.yml $(if $(RELEASE),-e release=$(RELEASE))

manage: setup  ## Run a manage.py command in the demo's live release (COMMAND="clearsessions")
	ansible-playbook -i inventory/sandbox/hosts.yml playbooks/manage.yml \
		-e "$$(python -c 'import json, os; print(json.dumps({"command": os.environ.get("COMMAND", "")}))')"

benchmark: harness  ## Time cold/unchanged/code-only deploys on a fresh sandbox, print image sizes
	python molecule/sandbox/benchmark.py $(BENCHMARK_ARGS)

demo-destroy:  ## Remove the demo's throwaway host
	molecule destroy -s sandbox

# lint and pytest need no throwaway host: they run while the harness builds its images and the
# legacy controller installs (downloads and disk, mostly); each one's output is shown whole when it
# ends. The scenarios start once all four have passed.
test: setup  ## Everything CI runs
	$(MAKE) --jobs=4 --output-sync=target lint pytest harness setup-legacy
	$(MAKE) molecule-scenarios

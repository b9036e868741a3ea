# Entry points (see README.md). Everything a target needs is installed by its prerequisites.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
TOP := $(CURDIR)
VENV := $(TOP)/.venv
BED := $(TOP)/.testbed
COLL := $(TOP)/.build/collections
export PATH := $(VENV)/bin:$(PATH)
export CONTAINERS_CONF := $(TOP)/tests/testbed/containers.conf
export ANSIBLE_COLLECTIONS_PATH := $(COLL)
export ANSIBLE_NOCOWS := 1
export ANSIBLE_FORCE_COLOR ?= 0
export SE_REPO_DIR := $(BED)/repo
# Molecule scenarios, started in this order (longest first), MOLECULE_JOBS (2) at a time
# (override: make molecule SCENARIOS=default MOLECULE_JOBS=1).
SCENARIOS ?= detection remediation manual allfaults failures killed local_facts fleet default

.PHONY: help deps testbed link lint sanity units molecule build test demo demo-clean clean eda demo-events

help:
	@echo "make demo   - build the local fleet, inject faults, gather, report, remediate, report"
	@echo "make demo-events - a fault raised on a demo host, fixed by the rulebook on the console's event"
	@echo "make test   - lint, sanity, unit tests, collection build, Molecule scenarios"
	@echo "make clean  - remove generated files and test-bed containers (keeps images)"

deps:
	@bash tests/testbed/bootstrap.sh

# The collection must sit in an ansible_collections/<ns>/<name> tree for Ansible to load it.
link:
	@mkdir -p $(COLL)/ansible_collections/secure_endpoint
	@ln -sfn $(TOP) $(COLL)/ansible_collections/secure_endpoint/linux

testbed: deps
	@bash tests/testbed/images.sh
	@bash tests/testbed/repos.sh

lint: deps link
	@echo "==> ansible-lint --profile production"
	@ansible-lint --profile production
	@echo "==> yamllint"
	@yamllint -s .

sanity: deps
	@bash tests/testbed/sanity.sh

units: deps link
	@echo "==> unit tests (plain pytest)"
	@python -m pytest -q tests/unit tests/standin

build: deps link
	@bash tests/testbed/build_install.sh

molecule: testbed link
	@bash tests/testbed/molecule.sh $(SCENARIOS)

# Event-driven remediation (issue 9, part 2): the fault_events source against a real RabbitMQ node,
# then Molecule `events` (the real ansible-rulebook remediating containers on published events).
eda: testbed link
	@bash tests/testbed/eda.sh
	@echo "==> event source against a real broker (tests/eda)"
	@python -m pytest -q -p no:cacheprovider tests/eda
	@echo "==> molecule test -s events"
	@source $(BED)/images.env; export SE_IMAGE_TAG; molecule test -s events

test: lint sanity units build molecule awx eda reports
	@echo "==> make test: all green"

demo: testbed link
	@bash tests/testbed/demo.sh

demo-clean:
	@bash tests/testbed/demo.sh --clean
	@bash tests/testbed/demo_events.sh --clean

# A fault raised on a demo host fixed by the rulebook, no playbook run by anyone (docs/EVENTS.md).
demo-events: testbed link
	@bash tests/testbed/eda.sh
	@bash tests/testbed/demo_events.sh

clean: demo-clean
	rm -rf .build reports secure_endpoint_reports

# ---- AWX / AAP readiness (issue 10): execution environment, ansible-runner, generated docs ----
.PHONY: awx ee-context role-docs docs-check runner
awx: ee-context docs-check runner

# The build context of extensions/ee/execution-environment.yml in .build/ee/context, checked.
ee-context: build
	@echo "==> ansible-builder create (.build/ee/context)"
	@mkdir -p $(TOP)/.build/ee
	@cp $(TOP)/.build/dist/secure_endpoint-linux-*.tar.gz $(TOP)/.build/ee/secure_endpoint-linux.tar.gz
	@rm -rf $(TOP)/.build/ee/context
	@ansible-builder create -f extensions/ee/execution-environment.yml -c $(TOP)/.build/ee/context >/dev/null
	@python -m pytest -q -p no:cacheprovider tests/awx/test_ee.py

# docs/roles/<role>.md from meta/argument_specs.yml (aar-doc).
role-docs: deps
	@bash tests/awx/role_docs.sh

docs-check: deps link
	@bash tests/awx/role_docs.sh --check
	@echo "==> antsibull-docs lint-collection-docs --plugin-docs"
	@antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs dependent \
	  $(COLL)/ansible_collections/secure_endpoint/linux

# remediate.yml and gather_facts.yml through ansible-runner against a 3-host SSH fleet.
runner: testbed build
	@echo "==> ansible-runner against a fleet (tests/awx/test_runner.py)"
	@python -m pytest -q -p no:cacheprovider tests/awx/test_runner.py

# ---- Reports people look at (issue 10, part 1) ----
# The HTML page in Debian's chromium (headless), the JUnit file through junitparser, the metrics
# through prometheus_client and, in the Molecule scenario `metrics`, through node_exporter itself.
# Screenshots and pages: .testbed/artifacts/reports/.
.PHONY: reports
reports: deps link
	@echo "==> report consumers: chromium, junitparser, prometheus_client"
	@python -m pytest -q -p no:cacheprovider tests/reports
	@$(MAKE) --no-print-directory molecule SCENARIOS=metrics

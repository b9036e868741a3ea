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
# Molecule scenarios, in the order `make test` runs them (override: make molecule SCENARIOS=default).
SCENARIOS ?= default detection remediation manual failures

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
	@for s in $(SCENARIOS); do \
	  echo "==> molecule test -s $$s"; \
	  source $(BED)/images.env; export SE_IMAGE_TAG; \
	  molecule test -s $$s || exit 1; \
	done

# Event-driven remediation (issue 9, part 2): the fault_events source against a real RabbitMQ node,
# then Molecule `events` (the real ansible-rulebook remediating containers on published events).
eda: testbed link
	@bash tests/testbed/eda.sh
	@echo "==> event source against a real broker (tests/eda)"
	@python -m pytest -q -p no:cacheprovider tests/eda
	@echo "==> molecule test -s events"
	@source $(BED)/images.env; export SE_IMAGE_TAG; molecule test -s events

test: lint sanity units build molecule eda
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

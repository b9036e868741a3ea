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
SCENARIOS ?= default detection remediation manual failures killed

.PHONY: help deps testbed link lint sanity units molecule build test demo demo-clean clean

help:
	@echo "make demo   - build the local fleet, inject faults, gather, report, remediate, report"
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

test: lint sanity units build molecule
	@echo "==> make test: all green"

demo: testbed link
	@bash tests/testbed/demo.sh

demo-clean:
	@bash tests/testbed/demo.sh --clean

clean: demo-clean
	rm -rf .build reports secure_endpoint_reports

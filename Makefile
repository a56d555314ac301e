# The two commands of the README:  make demo  |  make test
SWIFT ?= swift
export FERRY_PYTHON := $(CURDIR)/.venv/bin/python

.PHONY: setup build demo test bench clean

setup:
	@bash scripts/setup.sh

build: setup
	$(SWIFT) build --product ferry

demo: build
	$(SWIFT) run --skip-build ferry demo

test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) build --product ferry  # the devnet and relayer process tests run the built binary
	$(SWIFT) test --skip-build --parallel

bench: setup
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

clean:
	rm -rf .build .venv

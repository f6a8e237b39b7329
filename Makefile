# The two commands of the README: `make site` and `make test`. Both run the idempotent set-up first.
SWIFT ?= swift

.PHONY: setup site test bench clean-site

setup:
	@bash scripts/setup.sh

site: setup
	$(SWIFT) build -c release
	$(SWIFT) run -c release fvbook build

test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing  # XCTest only: its summary closes the log

bench: setup
	$(SWIFT) run -c release fvbook bench

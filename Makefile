# Stanzagate: everything a fresh machine with node and npm needs is installed from here.
#   make test    install what is missing, type-check, run every test (unit + real Prosody)
#   make demo    install, start a local Prosody and Stanzagate on 127.0.0.1, print curl commands
#   make build   dist/stanzagate, one self-contained executable
#   make bench   the benchmark (bench/README in README.md)
SHELL := /bin/bash
BUN := node_modules/.bin/bun
TSC := node_modules/.bin/tsc
SRC := $(shell find src plugins -name '*.ts') package.json

.PHONY: all deps node-deps prosody-deps ejabberd-deps build test typecheck unit demo bench clean

all: build

deps: node-deps prosody-deps ejabberd-deps

node-deps: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# Prosody 0.12 and prosody-modules (mod_privilege) from Debian, for the test bed and the demo;
# curl, which the demo's printed commands (and the test that runs them) use.
prosody-deps:
	@if ! command -v prosody >/dev/null || [ ! -d /usr/lib/prosody/modules/mod_privilege ] || ! command -v curl >/dev/null; then \
	  echo "installing prosody, prosody-modules and curl (Debian packages)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq prosody prosody-modules curl >/dev/null; \
	  $$SUDO systemctl disable --now prosody >/dev/null 2>&1 || $$SUDO service prosody stop >/dev/null 2>&1 || true; \
	fi

# ejabberd (Debian's 23.01) for the test bed: every integration test runs against both servers.
# The tests start their own ejabberd per test file, so the system service is stopped and disabled.
ejabberd-deps:
	@if ! command -v ejabberdctl >/dev/null || [ ! -x /usr/sbin/ejabberdctl ]; then \
	  echo "installing ejabberd (Debian package)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq ejabberd >/dev/null; \
	  $$SUDO systemctl disable --now ejabberd >/dev/null 2>&1 || $$SUDO service ejabberd stop >/dev/null 2>&1 || true; \
	fi

build: dist/stanzagate
dist/stanzagate: node_modules/.installed $(SRC)
	@mkdir -p dist
	$(BUN) build src/main.ts --compile --minify --bytecode --outfile dist/stanzagate

typecheck: node-deps
	$(TSC) --noEmit -p .

test: deps typecheck build
	$(BUN) test --timeout 60000

demo: deps build
	$(BUN) scripts/demo.ts

bench: deps build
	$(BUN) bench/run.ts

clean:
	rm -rf dist .demo bench/tmp

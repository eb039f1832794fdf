# Taskboard: the two ways in.
#   make dev   - the whole system locally, ending with a URL to open
#   make test  - every test and check
.PHONY: dev test bench soak fmt migrate create-user mailbox
SHELL := /bin/bash

dev:
	@scripts/dev.sh

test:
	@scripts/test.sh

# The performance budgets, measured: one table, also in bench-results/ (see docs/performance.md).
bench:
	@scripts/bench.sh

# Delivery under faults: task changes while AWS calls fail, database connections are cut and
# functions are killed, then every change and e-mail reconciled (docs/operations.md, "Faults").
#   make soak ARGS="--seed 7 --changes 3000"
soak:
	@scripts/soak.sh $(ARGS)

fmt:
	cargo fmt --all

# Apply the MySQL migrations to DATABASE_URL (the dev stack does this on start).
migrate:
	@scripts/cli.sh migrate

# Create an account (asks for the password). The first one, an administrator:
#   make create-user EMAIL=ada@example.com NAME="Ada" ADMIN=1
create-user:
	@scripts/cli.sh create-user --email "$(EMAIL)" --name "$(NAME)" $(if $(ADMIN),--admin)

# The e-mail the local stack sent, newest first (also at http://127.0.0.1:3000/_dev/mailbox).
mailbox:
	@scripts/cli.sh mailbox

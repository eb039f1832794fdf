# Taskboard: the two ways in.
#   make dev   - the whole system locally, ending with a URL to open
#   make test  - every test and check
.PHONY: dev test fmt migrate create-user
SHELL := /bin/bash

dev:
	@scripts/dev.sh

test:
	@scripts/test.sh

fmt:
	cargo fmt --all

# Apply the MySQL migrations to DATABASE_URL (the dev stack does this on start).
migrate:
	@scripts/cli.sh migrate

# Create an account when sign-up is closed: make create-user EMAIL=a@b.c NAME="Ada" (asks for the password).
create-user:
	@scripts/cli.sh create-user --email "$(EMAIL)" --name "$(NAME)"

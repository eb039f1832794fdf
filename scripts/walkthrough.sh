#!/usr/bin/env bash
# The API walk-through from docs/api.md, runnable as a whole against `make dev`:
#   bash scripts/walkthrough.sh
# (needs curl and python3; safe to run again: sign-up answers 409 the second time).
set -e
U=http://127.0.0.1:3000
J='content-type: application/json'; X='x-requested-with: taskboard'
cd "$(mktemp -d)"
# Two people sign up
curl -s -c ada.jar -H "$J" -H "$X" -d '{"email":"ada@example.com","password":"correct horse battery staple","name":"Ada"}' $U/api/auth/signup -o /dev/null -w 'ada signup %{http_code}\n' || true
curl -s -c ada.jar -H "$J" -H "$X" -d '{"email":"ada@example.com","password":"correct horse battery staple"}' $U/api/auth/login -o /dev/null -w 'ada login %{http_code}\n'
curl -s -c bob.jar -H "$J" -H "$X" -d '{"email":"bob@example.com","password":"another long passphrase","name":"Bob"}' $U/api/auth/signup -o /dev/null -w 'bob signup %{http_code}\n' || true
curl -s -c bob.jar -H "$J" -H "$X" -d '{"email":"bob@example.com","password":"another long passphrase"}' $U/api/auth/login -o /dev/null -w 'bob login %{http_code}\n'
BOB=$(curl -s -b bob.jar $U/api/auth/me | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
# Ada creates a task for Bob
TASK=$(curl -s -b ada.jar -H "$J" -H "$X" -d "{\"title\":\"Write the launch post\",\"assignee_id\":\"$BOB\",\"due_date\":\"2026-12-01\"}" $U/api/tasks)
echo "$TASK"
ID=$(echo "$TASK" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
# Bob sees it among his tasks and moves it to In progress, with the ETag he read
curl -s -b bob.jar "$U/api/tasks?assignee=me" | python3 -m json.tool | head -5
ETAG=$(curl -s -D - -o /dev/null -b bob.jar $U/api/tasks/$ID | grep -i '^etag' | cut -d' ' -f2 | tr -d '\r')
curl -s -b bob.jar -H "$J" -H "$X" -H "If-Match: $ETAG" -X PATCH -d '{"status":"in_progress"}' $U/api/tasks/$ID -w '\n%{http_code}\n'
# The same stale ETag again: 412
curl -s -b bob.jar -H "$J" -H "$X" -H "If-Match: $ETAG" -X PATCH -d '{"status":"done"}' $U/api/tasks/$ID -w '\n%{http_code}\n'
# Bob may not delete Ada's task: 403; Ada may
curl -s -b bob.jar -H "$X" -X DELETE $U/api/tasks/$ID -w '\n%{http_code}\n'
curl -s -b ada.jar $U/api/tasks/$ID/history | python3 -m json.tool | head -30
curl -s -b ada.jar -H "$X" -X DELETE $U/api/tasks/$ID -w '%{http_code}\n'

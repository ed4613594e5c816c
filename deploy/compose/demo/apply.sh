#!/bin/sh
# The compose fleet's one-shot demo step: registers the backends, then applies the seed scenario's first state
# (Istio's tcp-echo-all-v1.yaml: gateway on 31400, all traffic to v1) and the HTTP tutorial's gateway. Each
# apply waits for the validator's verdict and fails the step on a rejection.
set -eu
CONFIG="${KSHIFT_CONFIG_URL:?}"
TOKEN="$(cat /run/kshift/token)"   # the admin token ./kshift keys wrote to .kshift/token
apply() {
  echo "applying $1"
  curl -sS --fail-with-body -X POST --data-binary "@$1" -H 'Content-Type: application/yaml' \
    -H "Authorization: Bearer $TOKEN" \
    "$CONFIG/api/v1/apply?wait=30s"
  echo
}
apply /demo/backends.yaml
apply /samples/tcp-echo/tcp-echo-all-v1.yaml
apply /samples/httpbin/tutorial/gateway.yaml
echo "demo applied; next: /samples/tcp-echo/tcp-echo-20-v2.yaml (see README, Deploy)"

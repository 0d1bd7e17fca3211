#!/bin/sh
# Building a bundle on an air-gapped site under the site's own policy.
# BUNDLE was made by plugctl vendor --sign KEY --vulndb DIR, then plugctl
# bundle; KEY_PUB is that key's public half; SITE_POLICY the site's policy
# file (like examples/audit/site-policy.yaml).
set -eu
export PLUGCTL_POLICY="$SITE_POLICY"

# The signature is checked, then each target is compiled and audited
# against the bundle's copy of the database before it is written.
GOPROXY=off plugctl build --bundle "$BUNDLE" --verify-key "$KEY_PUB"

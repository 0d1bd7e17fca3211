#!/bin/sh
# Auditing on an air-gapped site. VULNDB is a copy of the vulnerability
# database, a directory in its layout (index/db.json, index/modules.json,
# ID/<ID>.json).
set -eu

# On a machine with the network: the vendor tree carries the database,
# listed in its manifest like every file (and so signed with --sign, and
# packed by plugctl bundle).
plugctl vendor --vulndb "$VULNDB"

# On the site, with no network and no module cache: the audit reads the
# verified tree's build module and its copy of the database, and exits 6
# when a finding reaches policy.vulnerabilities.
GOPROXY=off plugctl audit --offline

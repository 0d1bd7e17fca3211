#!/bin/sh
# A compile cache shared by every CI machine, through GOCACHEPROG. Two
# maintained cache programs; pick one with CACHE. plugctl passes
# GOCACHEPROG to every go command it runs and records it nowhere.
set -eu

case "${CACHE:-go-cache-plugin}" in
go-cache-plugin)
	# tailscale/go-cache-plugin: an S3 bucket, staged in a local directory.
	go install github.com/tailscale/go-cache-plugin/cmd/go-cache-plugin@latest
	GOCACHEPROG="go-cache-plugin --cache-dir=$HOME/.cache/go-cache-plugin --bucket=$CACHE_BUCKET --region=$CACHE_REGION"
	;;
gobuildcache)
	# saracen/gobuildcache: any Go Cloud bucket URL (s3://…, gs://…,
	# azblob://…); -readonly for machines that must not write.
	go install github.com/saracen/gobuildcache@latest
	GOCACHEPROG="gobuildcache $CACHE_BUCKET_URL"
	;;
*)
	echo "CACHE is go-cache-plugin or gobuildcache" >&2
	exit 2
	;;
esac
export GOCACHEPROG

# Equal cache keys on every machine: one Go release, the toolchain on the
# image (never a downloaded one), the same plugctl, config and lock.
export GOTOOLCHAIN=local
go version
plugctl build --locked

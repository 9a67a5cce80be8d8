#!/usr/bin/env sh
# Builds the release binary exactly as the container image does. CI runs this script too, so the
# image's build stage is exercised on every change without building an image.
set -eu
cd "$(dirname "$0")/.."
cargo build --release --locked --bin eldercheck

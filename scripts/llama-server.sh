#!/usr/bin/env bash
# Builds llama.cpp's `llama-server` for the local-LLM integration test, into a cache outside the
# repository, and prints the binary's path on stdout (everything else goes to stderr).
#
# Source: the llama.cpp git bundle that the npm package node-llama-cpp@3.21.1 ships
# (llama/gitRelease.bundle, commit pinned below), fetched with `npm pack` so that nothing beyond the
# npm registry is needed. Only the llama-server target is built: no web UI download, no OpenSSL,
# GGML_NATIVE=OFF (a cached binary must run on any x86-64 machine), static llama/ggml libraries.
# ccache is used when present (ggml's GGML_CCACHE). None of llama.cpp's code enters this repository.
#
# Usage: scripts/llama-server.sh              build unless cached; print the binary path
#        scripts/llama-server.sh --print-path print where the binary is (exit 1 when not built yet)
# Env:   TRMBENCH_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/trmbench), JOBS (default nproc)
# Layout: $TRMBENCH_CACHE/llama-server/<commit>/{bin/llama-server,gguf-py/,BUILD_INFO}
# Exit status: 0 built or cached; 3 the npm package could not be fetched (registry unreachable:
# scripts/test.sh then skips the llama-server tests, visibly, with this reason); 1 anything else, e.g.
# npm, git, cmake or a C++ compiler missing, an integrity mismatch or a failed build: CI must not skip.
set -euo pipefail

NPM_PACKAGE=node-llama-cpp
NPM_VERSION=3.21.1
NPM_INTEGRITY='sha512-E3N0Ev2Va0wzydvXYFwM9Hvyo07PoWjt8T/9GMc43Cvt8YkV/NU/tYUgEMC1grTPv2o9PRjQi0G3Wb5P/awiMg=='
LLAMA_COMMIT=80fb11ac73e66d89eae2c6a91d8a77428fa733ed

CACHE_ROOT=${TRMBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/trmbench}
DEST=$CACHE_ROOT/llama-server/$LLAMA_COMMIT
BIN=$DEST/bin/llama-server

log() { echo "llama-server.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

cached_binary_ok() {
  [ -x "$BIN" ] && [ -f "$DEST/gguf-py/gguf/__init__.py" ] && "$BIN" --version >/dev/null 2>&1
}

if [ "${1:-}" = "--print-path" ]; then
  echo "$BIN"
  cached_binary_ok
  exit
elif [ $# -gt 0 ]; then
  die "unknown argument '$1' (usage: $0 [--print-path])"
fi

if cached_binary_ok; then
  log "cached: $BIN"
  echo "$BIN"
  exit 0
fi

for tool in npm node git cmake tar c++; do
  command -v "$tool" >/dev/null || die "'$tool' is required to build llama-server (scripts/setup.sh installs it)"
done
GENERATOR=()
if command -v ninja >/dev/null; then GENERATOR=(-G Ninja); fi

start=$(date +%s)
mkdir -p "$CACHE_ROOT/llama-server"
WORK=$(mktemp -d "$CACHE_ROOT/llama-server/work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

log "fetching $NPM_PACKAGE@$NPM_VERSION from the npm registry (or npm's cache)"
# --prefer-offline: a warm npm cache needs no network; the integrity check below still applies.
if ! (cd "$WORK" && npm pack --silent --prefer-offline --fetch-retry-maxtimeout=15000 \
        "$NPM_PACKAGE@$NPM_VERSION" >/dev/null); then
  log "error: npm pack $NPM_PACKAGE@$NPM_VERSION failed: the npm registry ($(npm config get registry)) cannot be reached"
  exit 3
fi
TGZ=$WORK/$NPM_PACKAGE-$NPM_VERSION.tgz
[ -f "$TGZ" ] || die "npm pack did not produce $TGZ"
actual=$(node -e 'const c=require("crypto"),f=require("fs");
  console.log("sha512-"+c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$TGZ")
[ "$actual" = "$NPM_INTEGRITY" ] || die "$TGZ: integrity $actual, expected $NPM_INTEGRITY"

tar -xzf "$TGZ" -C "$WORK" package/llama/gitRelease.bundle
git clone -q "$WORK/package/llama/gitRelease.bundle" "$WORK/llama.cpp" 2>/dev/null
head=$(git -C "$WORK/llama.cpp" rev-parse HEAD)
[ "$head" = "$LLAMA_COMMIT" ] || die "bundle is at commit $head, expected $LLAMA_COMMIT"
rm -f "$TGZ"

log "configuring llama.cpp $LLAMA_COMMIT"
cmake -S "$WORK/llama.cpp" -B "$WORK/build" "${GENERATOR[@]}" -Wno-dev \
  -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
  -DGGML_NATIVE=OFF -DGGML_CCACHE=ON \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_SERVER=ON \
  -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF >"$WORK/configure.log" 2>&1 ||
  { tail -n 40 "$WORK/configure.log" >&2; die "cmake configure failed"; }

# The work directory has a random name: make ccache hash paths relative to it so rebuilds hit.
export CCACHE_BASEDIR=$WORK
log "building llama-server (about 7 min on 2 cores when ccache is cold)"
cmake --build "$WORK/build" --target llama-server -j "${JOBS:-$(nproc)}" >"$WORK/build.log" 2>&1 ||
  { tail -n 60 "$WORK/build.log" >&2; die "build failed"; }
built=$WORK/build/bin/llama-server
"$built" --version >/dev/null 2>&1 || die "$built does not run"

# Install atomically: a half-copied cache entry must never look complete.
STAGE=$WORK/stage
mkdir -p "$STAGE/bin"
cp "$built" "$STAGE/bin/llama-server"
cp -r "$WORK/llama.cpp/gguf-py" "$STAGE/gguf-py"
cp "$WORK/llama.cpp/LICENSE" "$STAGE/LICENSE-llama.cpp"
{
  echo "source: npm $NPM_PACKAGE@$NPM_VERSION llama/gitRelease.bundle, commit $LLAMA_COMMIT"
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -m), $(c++ --version | head -n1)"
  echo "flags: Release, static, GGML_NATIVE=OFF, no UI, no OpenSSL"
} >"$STAGE/BUILD_INFO"
rm -rf "$DEST"
mv "$STAGE" "$DEST"
log "built in $(($(date +%s) - start)) s: $BIN"
echo "$BIN"

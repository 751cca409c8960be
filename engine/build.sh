#!/bin/sh
# Builds the njs engines of cfreplay (njs + PCRE2 -> WebAssembly) from pinned
# releases with Debian bookworm's emscripten (apt-get install emscripten):
#
#   NJS_GIT=<git dir of github.com/nginx/njs> \
#   PCRE2_GIT=<git dir of github.com/PCRE2Project/pcre2> engine/build.sh [outdir]
#
# Output (default engine/dist): cloudfront-js-1.0/ and cloudfront-js-2.0/ with
# njsw.cjs (emscripten loader) + njsw.wasm each, and MANIFEST.json (sources:
# tag and commit; toolchain; sha256 of every file). The tests check the
# committed files against MANIFEST.json; they never run this script.
# Work files go to $WORK (default: a fresh temporary folder, removed after).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mkdir -p "${1:-$HERE/dist}" && cd "${1:-$HERE/dist}" && pwd)
JOBS=${JOBS:-2}

# ---- pinned sources (tag and the commit it must resolve to) ----------------
# cloudfront-js-2.0: njs 0.8.x (0.8.0 removed the byte-string helpers 2.0 lacks;
# `?.` came only in 0.9.6); 0.8.10 is the last 0.8 release.
NJS2_TAG=0.8.10
NJS2_COMMIT=9d3e71ca656b920e3e63b0e647aca8e91669d29a
# cloudfront-js-1.0: the last njs before 0.8.0 (String.bytesFrom,
# toString(encoding), hash-ordered keys past 10 properties).
NJS1_TAG=0.7.12
NJS1_COMMIT=0283f3191f364a38167bb16810c7aeb829939863
PCRE2_TAG=pcre2-10.44
PCRE2_COMMIT=6ae58beca071f13ccfed31d03b3f479ab520639b
# Backtracking steps one regex match may take (PCRE2 default 10,000,000).
PCRE2_MATCH_LIMIT=1000000

NJS_GIT=${NJS_GIT:?set NJS_GIT to a git directory of nginx/njs}
PCRE2_GIT=${PCRE2_GIT:?set PCRE2_GIT to a git directory of PCRE2Project/pcre2}

# Debian's emscripten needs Debian's node-acorn (a nodesource node does not search there).
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
# Reproducibility: no timestamps, paths or locale in the output.
export SOURCE_DATE_EPOCH=0 LC_ALL=C TZ=UTC
EMCC_VERSION=$(emcc --version | head -n 1)

if [ -n "${WORK:-}" ]; then
  W=$WORK; mkdir -p "$W"
else
  W=$(mktemp -d /tmp/cfreplay-engine.XXXXXX); trap 'rm -rf "$W"' EXIT
fi
W=$(cd "$W" && pwd)

checkout() { # git-dir tag commit dest
  got=$(git --git-dir="$1" rev-parse "$2^{commit}" 2>/dev/null) || { echo "build.sh: tag $2 not found in $1" >&2; exit 2; }
  [ "$got" = "$3" ] || { echo "build.sh: tag $2 is commit $got in $1, expected $3" >&2; exit 2; }
  rm -rf "$4"; mkdir -p "$4"
  git --git-dir="$1" archive "$3" | tar -x -C "$4"
}

# ---- PCRE2: static wasm library (shared by both engines) --------------------
checkout "$PCRE2_GIT" $PCRE2_TAG $PCRE2_COMMIT "$W/src/pcre2"
P=$W/pcre2-wasm
mkdir -p "$W/build-pcre2" && cd "$W/build-pcre2"
emcmake cmake "$W/src/pcre2" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$P" \
  -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON -DPCRE2_BUILD_PCRE2_8=ON \
  -DPCRE2_SUPPORT_JIT=OFF -DPCRE2_SUPPORT_UNICODE=ON -DPCRE2_MATCH_LIMIT=$PCRE2_MATCH_LIMIT \
  -DPCRE2_BUILD_PCRE2GREP=OFF -DPCRE2_BUILD_TESTS=OFF -DPCRE2_SHOW_REPORT=OFF >/dev/null
emmake make -j"$JOBS" >/dev/null
emmake make install >/dev/null

build_njs() { # runtime tag commit
  N=$W/src/njs-$2
  checkout "$NJS_GIT" "$2" "$3" "$N"
  cd "$N"
  for p in "$HERE"/patches/njs-"$2"/*.patch; do
    patch -p1 -s --no-backup-if-mismatch < "$p"
  done
  ./configure --cc="$HERE/tools/emcc-cfg" --ar=emar \
    --cc-opt="-O2 -I$P/include" --ld-opt="-L$P/lib -lpcre2-8" \
    --no-openssl --no-libxml2 --no-zlib $( [ -f auto/quickjs ] && echo --no-quickjs ) \
    --build-dir=build-wasm >/dev/null
  make -j"$JOBS" -f build-wasm/Makefile build-wasm/libnjs.a >/dev/null
  mkdir -p "$W/out/$1"
  # The C stack is checked on every function entry (STACK_OVERFLOW_CHECK=2):
  # an overflow aborts the instance (the host starts a new one) instead of
  # writing over static data.
  emcc -O2 -Wall -I"$N/src" -I"$N/external" -I"$N/build-wasm" "$HERE/shim/njsw.c" \
    "$N/build-wasm/libnjs.a" "$P/lib/libpcre2-8.a" -lm \
    -o "$W/out/$1/njsw.js" \
    -sMODULARIZE=1 -sEXPORT_NAME=createNjsw -sENVIRONMENT=node \
    -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=16MB -sMAXIMUM_MEMORY=512MB \
    -sABORTING_MALLOC=0 -sNODEJS_CATCH_EXIT=0 -sNODEJS_CATCH_REJECTION=0 -sTOTAL_STACK=4MB -sSTACK_OVERFLOW_CHECK=2 -sWASM_ASYNC_COMPILATION=0 \
    -sEXPORTED_FUNCTIONS=_njsw_load,_njsw_run,_njsw_out,_njsw_out_len,_njsw_set_limits,_njsw_steps,_njsw_last_fast,_njsw_mem_used,_njsw_mem_peak,_njsw_stack_probe,_njsw_version,_malloc,_free \
    -sEXPORTED_RUNTIME_METHODS=stringToUTF8,lengthBytesUTF8,UTF8ToString
  # ESM package: the CommonJS loader needs the .cjs extension.
  mv "$W/out/$1/njsw.js" "$W/out/$1/njsw.cjs"
  cd "$W"
}

build_njs cloudfront-js-2.0 $NJS2_TAG $NJS2_COMMIT
build_njs cloudfront-js-1.0 $NJS1_TAG $NJS1_COMMIT

# ---- install + manifest ---------------------------------------------------
for rt in cloudfront-js-1.0 cloudfront-js-2.0; do
  mkdir -p "$OUT/$rt"
  cp "$W/out/$rt/njsw.cjs" "$W/out/$rt/njsw.wasm" "$OUT/$rt/"
done
cd "$OUT"
{
  echo '{'
  echo '  "sources": {'
  echo "    \"cloudfront-js-2.0\": { \"repository\": \"https://github.com/nginx/njs\", \"tag\": \"$NJS2_TAG\", \"commit\": \"$NJS2_COMMIT\" },"
  echo "    \"cloudfront-js-1.0\": { \"repository\": \"https://github.com/nginx/njs\", \"tag\": \"$NJS1_TAG\", \"commit\": \"$NJS1_COMMIT\" },"
  echo "    \"pcre2\": { \"repository\": \"https://github.com/PCRE2Project/pcre2\", \"tag\": \"$PCRE2_TAG\", \"commit\": \"$PCRE2_COMMIT\", \"matchLimit\": $PCRE2_MATCH_LIMIT }"
  echo '  },'
  echo "  \"toolchain\": \"$EMCC_VERSION (Debian bookworm emscripten)\","
  echo '  "sha256": {'
  first=1
  for f in cloudfront-js-1.0/njsw.cjs cloudfront-js-1.0/njsw.wasm cloudfront-js-2.0/njsw.cjs cloudfront-js-2.0/njsw.wasm; do
    [ $first = 1 ] || echo ','
    first=0
    printf '    "%s": "%s"' "$f" "$(sha256sum "$f" | cut -d' ' -f1)"
  done
  echo
  echo '  }'
  echo '}'
} > MANIFEST.json
cat MANIFEST.json
ls -l "$OUT"/*/

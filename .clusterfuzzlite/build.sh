#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build script for lifecheck's three fuzz targets.
#
# Follows the OSS-Fuzz conventions: the compilers and their flags come from
# $CC, $CXX, $CFLAGS, $CXXFLAGS (sanitizer and coverage flags included), the
# fuzzing engine is linked with $LIB_FUZZING_ENGINE (-fsanitize=fuzzer for
# libFuzzer, a driver archive for AFL++ / honggfuzz / centipede), and
# everything goes to $OUT:
#   $OUT/diff_fuzzer     spec vs impl, call by call (the binary trace form)
#   $OUT/sched_fuzzer    the impl's real threads under the controlled
#                        scheduler: calls and scheduling choices
#   $OUT/parser_fuzzer   the text trace format
#   $OUT/<fuzzer>_seed_corpus.zip                     corpus/<fuzzer>/*
#   $OUT/<fuzzer>.dict                                fuzz/<fuzzer>.dict
#   $OUT/<fuzzer>.options                             [libfuzzer] max_len
#                                                     (and dict, if any)
# $SRC (OSS-Fuzz: /src) is not needed: the source is this script's checkout.
# $WORK (scratch, optional) holds the CMake build tree; default $OUT/../work.
#
# The targets decode inputs on the mainline configuration unless
# LIFECHECK_CONFIG is set at run time (LIFECHECK_FUZZ_DEFAULT_CONFIG): an
# unpinned fuzzer lets the input header pick buggy policies and rediscovers
# the known seed races at once.
#
# C++ standard library: OSS-Fuzz's CXXFLAGS ask for libc++, but Abseil,
# rapidcheck and GTest come from the distribution, built against libstdc++
# (toolchain gotcha G9: mixing them fails to link). The flag is dropped;
# ASan and UBSan need no instrumented standard library (MSan would).
#
# Needs: cmake, ninja or make, the Debian packages of ci/setup (Abseil, Z3,
# gtest are found at configure time), zip or python3.
: "${CC:?set CC}" "${CXX:?set CXX}" "${OUT:?set OUT}"
: "${LIB_FUZZING_ENGINE:?set LIB_FUZZING_ENGINE}"
CFLAGS="${CFLAGS:-}"
CXXFLAGS="${CXXFLAGS:-}"
CXXFLAGS="${CXXFLAGS//-stdlib=libc++/}"

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mkdir -p "${OUT}"
OUT="$(cd "${OUT}" && pwd)"
work="${WORK:-${OUT}/../work}/lifecheck-build"
mkdir -p "${work}"
jobs="${LIFECHECK_JOBS:-$(nproc)}"
fuzzers=(diff_fuzzer sched_fuzzer parser_fuzzer)
max_len=512  # the fuzz-smoke and overnight runs' -max_len

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

# RelWithDebInfo's -O2 -g would come after $CXXFLAGS; a plain build type
# keeps the caller's flags (OSS-Fuzz passes -O1 -gline-tables-only).
cmake -S "${src}" -B "${work}" "${generator[@]}" --no-warn-unused-cli \
  -DCMAKE_BUILD_TYPE= \
  -DCMAKE_C_COMPILER="${CC}" -DCMAKE_CXX_COMPILER="${CXX}" \
  -DCMAKE_C_FLAGS="${CFLAGS}" -DCMAKE_CXX_FLAGS="${CXXFLAGS}" \
  -DLIFECHECK_FUZZ=OFF -DLIFECHECK_AFL=OFF -DLIFECHECK_SANITIZERS= \
  -DLIFECHECK_LIB_FUZZING_ENGINE="${LIB_FUZZING_ENGINE}"
cmake --build "${work}" --target "${fuzzers[@]}" -j "${jobs}"

zip_dir() {  # zip_dir DIR ZIP: the files of DIR, flat
  rm -f "$2"
  if command -v zip >/dev/null; then
    (cd "$1" && zip -q -j "$2" ./*)
  else
    python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
d, z = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as f:
    for n in sorted(os.listdir(d)):
        f.write(os.path.join(d, n), n)
PY
  fi
}

for f in "${fuzzers[@]}"; do
  cp "${work}/${f}" "${OUT}/${f}"
  zip_dir "${src}/corpus/${f}" "${OUT}/${f}_seed_corpus.zip"
  {
    echo "[libfuzzer]"
    if [[ -f "${src}/fuzz/${f}.dict" ]]; then
      cp "${src}/fuzz/${f}.dict" "${OUT}/${f}.dict"
      echo "dict = ${f}.dict"
    fi
    echo "max_len = ${max_len}"
  } >"${OUT}/${f}.options"
done
echo ".clusterfuzzlite/build.sh: built ${fuzzers[*]} into ${OUT}"

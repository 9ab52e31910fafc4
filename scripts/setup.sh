#!/usr/bin/env bash
# Installs the Debian packages capsim needs to build, test and benchmark.
# Idempotent and quiet: does nothing (and prints nothing) when everything is present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libeigen3-dev libboost-dev libboost-random-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libyaml-cpp-dev
)
# Optional groups, asked for with arguments: `setup.sh mpi`, `setup.sh python`, `setup.sh all`.
#   mpi      OpenMPI for the distributed build (-DCAPSIM_MPI=ON)
#   python   SimPy (benchmark), pandas, matplotlib and Jupyter's nbconvert (notebooks), the
#            headers, pybind11 and pytest of the Python module (python/, docs/python.md)
#   fuzz     clang with libFuzzer and the sanitizer runtimes (fuzz/), clang-format (format check)
#   browser  Debian's Chromium, headless, to check that `capsim report` pages render
#   all      every group above
mpi_packages=(libopenmpi-dev openmpi-bin)
python_packages=(python3 python3-simpy3 python3-pandas python3-matplotlib python3-nbconvert
                 python3-ipykernel jupyter-nbconvert python3-dev pybind11-dev python3-pybind11
                 python3-pytest)
fuzz_packages=(clang-14 libclang-rt-14-dev clang-format)
browser_packages=(chromium)
for group in "$@"; do
  case "$group" in
    mpi) packages+=("${mpi_packages[@]}") ;;
    python) packages+=("${python_packages[@]}") ;;
    fuzz) packages+=("${fuzz_packages[@]}") ;;
    browser) packages+=("${browser_packages[@]}") ;;
    all) packages+=("${mpi_packages[@]}" "${python_packages[@]}" "${fuzz_packages[@]}"
                    "${browser_packages[@]}") ;;
    *) echo "setup.sh: unknown group '$group' (expected mpi, python, fuzz, browser or all)" >&2
       exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup.sh: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

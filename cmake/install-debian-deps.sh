#!/usr/bin/env bash
# Installs what every build of Manta needs on Debian 12 (run as root, or through sudo): the
# compiler and build tools, the six required libraries (Open MPI, UCX, parallel HDF5, Kokkos,
# Boost.Serialization, GoogleTest with GoogleMock), the small ones it uses (spdlog, fmt, CLI11,
# nlohmann-json for the timeline, perf/, the status file and the tune layer's experiment record,
# cpp-httplib for the status page, Eigen for the policies of Manta::rl), and what the tests run
# (h5dump, Slurm and munge, clang-format, clang for the libFuzzer harnesses in fuzz/, iproute2
# and util-linux for the fake nodes of tests/multinode).
# Does nothing when everything is already there. Checked on a fresh Debian 12 root by CI
# (.ci/run, with ../shared/tools/fresh-machine.sh): a package missing here fails CI.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git clang-format clang
  openmpi-bin libopenmpi-dev
  libucx-dev ucx-utils
  libhdf5-openmpi-dev hdf5-tools libdeflate-dev
  libtrilinos-kokkos-dev
  libboost-serialization-dev
  libgtest-dev libgmock-dev
  libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev libcpp-httplib-dev libeigen3-dev
  slurm-wlm munge
  iproute2 util-linux
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if ((${#missing[@]} == 0)); then
  echo "install-debian-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-debian-deps: installing ${missing[*]}"
sudo_cmd=()
((EUID == 0)) || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"

# Shared by tools/demo and tools/test: install missing Debian packages and
# configure + build one CMake build directory. Sourced, not run.

# Debian 12 packages untm needs to build and test (README: Dependencies).
UNTM_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libicu-dev libsqlite3-dev libfmt-dev catch2 libcli11-dev nlohmann-json3-dev libxml2-dev libmimalloc-dev
  python3
  libxml2-utils python3-translate
)

untm_missing_packages() {
  local missing=()
  for pkg in "${UNTM_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  echo "${missing[@]}"
}

# Installs what is missing when run as root; otherwise prints the exact
# command and stops.
untm_install_packages() {
  local missing
  missing=$(untm_missing_packages)
  [[ -z "$missing" ]] && return 0
  if [[ $(id -u) -ne 0 ]]; then
    echo "untm: missing Debian packages: $missing" >&2
    echo "Install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y $missing" >&2
    echo "then run this command again." >&2
    exit 1
  fi
  echo "untm: installing missing packages: $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing
}

# untm_build DIR BUILD_TYPE [extra cmake args...]
untm_build() {
  local dir=$1 type=$2
  shift 2
  local generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  if [[ ! -f "$dir/CMakeCache.txt" ]]; then
    cmake -S "$UNTM_ROOT" -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
  else
    cmake -S "$UNTM_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
  fi
  cmake --build "$dir" --parallel "$(nproc)"
}

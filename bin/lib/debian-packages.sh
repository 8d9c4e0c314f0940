# Sourced by bin/ensure-*: downloads Debian packages and unpacks them into a folder, without root and without
# touching the system's package state (temporary apt lists and cache, nothing installed).

# fetch_debian_packages SUITE DEST PACKAGE... — unpacks each package of Debian SUITE (e.g. trixie) into DEST.
# Returns non-zero when apt-get or dpkg is missing or a download fails.
fetch_debian_packages() {
  local suite=$1 dest=$2
  shift 2
  command -v apt-get >/dev/null && command -v dpkg >/dev/null || return 1
  local work
  work=$(mktemp -d)
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs"
  echo "deb http://deb.debian.org/debian $suite main" >"$work/sources.list"
  local apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
                  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o APT::Sandbox::User=root)
  local ok=0
  if apt-get "${apt_opts[@]}" -qq update >&2 &&
     (cd "$work/debs" && apt-get "${apt_opts[@]}" -qq download "$@" >&2); then
    mkdir -p "$dest"
    local deb
    for deb in "$work"/debs/*.deb; do
      dpkg -x "$deb" "$dest" || ok=1
    done
  else
    ok=1
  fi
  rm -rf "$work"
  return $ok
}

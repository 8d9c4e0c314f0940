# Sourced by bin/ensure-*: downloads Debian packages and unpacks them into a folder, without root and without
# touching the system's package state (temporary apt lists and cache, nothing installed).

# Prints every archive URI named by this machine's apt sources (deb822 `.sources` files and one-line lists).
_apt_source_uris() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] && awk 'tolower($1)=="uris:" { for (i = 2; i <= NF; i++) print $i }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    # deb [options] URI suite components
    [ -r "$f" ] && awk '$1=="deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) { print $i; break } }' "$f"
  done
  return 0
}

# debian_mirror — prints the Debian archive that this machine's own apt sources use (the first non-security
# `.../debian` URI), so that no host name is written into the repository. Prints nothing if there is none.
debian_mirror() {
  _apt_source_uris 2>/dev/null | grep -E '/debian/?$' | grep -v -- '-security' | head -n 1 | sed 's:/*$::'
}

# fetch_debian_packages SUITE DEST PACKAGE... — unpacks each package of Debian SUITE (e.g. forky) into DEST,
# from the machine's own Debian mirror. Returns non-zero when apt-get, dpkg or a mirror is missing, or a
# download fails.
fetch_debian_packages() {
  local suite=$1 dest=$2
  shift 2
  command -v apt-get >/dev/null && command -v dpkg >/dev/null || return 1
  local mirror
  mirror=$(debian_mirror)
  if [ -z "$mirror" ]; then
    echo "no Debian mirror in this machine's apt sources" >&2
    return 1
  fi
  local work
  work=$(mktemp -d)
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs"
  echo "deb $mirror $suite main" >"$work/sources.list"
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

# Sourced by bin/container-smoke and bin/compose-smoke: podman as root on a Debian-like machine that reaches no
# container registry. Images are made here from Debian's packages (debootstrap from the Debian mirror of this
# machine's own apt sources, then `podman import`). Needs bin/lib/debian-packages.sh sourced first, and a
# function `fail MESSAGE` that exits.

podman_suite=bookworm
podman_build_base=localhost/orderflow-build-base:$podman_suite
podman_runtime_base=localhost/orderflow-runtime-base:$podman_suite
podman_tools_base=localhost/orderflow-tools-base:$podman_suite

# podman_install PACKAGE...: installs with apt-get those of the packages that are not installed yet.
podman_install() {
  local package missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return
  command -v apt-get >/dev/null || fail "${missing[*]} missing, and this is no Debian-like machine (no apt-get)"
  echo "installing ${missing[*]} with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# podman_use_runc DIR: points podman at a containers.conf of its own in DIR (CONTAINERS_CONF), with the runc runtime
# and `default_ulimits = []`: on hosts with hybrid cgroups crun fails, and the default ulimits are refused. The
# system's container configuration is not changed.
podman_use_runc() {
  export CONTAINERS_CONF=$1/containers.conf
  cat >"$CONTAINERS_CONF" <<CONF
[containers]
default_ulimits = []

[engine]
runtime = "runc"
CONF
}

# debian_base_image NAME PACKAGES WORK: a Debian root filesystem (minbase) with those packages (comma-separated),
# imported as an image; once: an image of that name already here is kept. WORK is a scratch folder.
debian_base_image() {
  local name=$1 packages=$2 work=$3
  if podman image exists "$name"; then
    echo "$name: already here"
    return
  fi
  local mirror rootfs=$work/rootfs-${name##*/}
  mirror=$(debian_mirror)
  [ -n "$mirror" ] || fail "no Debian mirror in this machine's apt sources"
  mkdir -p "$work/debs"
  echo "$name: debootstrap $podman_suite from $mirror with $packages"
  debootstrap --variant=minbase --cache-dir="$work/debs" --include="$packages" "$podman_suite" "$rootfs" "$mirror" \
    >"$work/debootstrap.log" 2>&1 || { tail -n 20 "$work/debootstrap.log" >&2; fail "debootstrap"; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman import --quiet --change 'CMD ["/bin/bash"]' - "$name" >/dev/null
  rm -rf "$rootfs"
  echo "$name: imported"
}

# orderflow_image IMAGE ROOT WORK: builds ROOT's Dockerfile as IMAGE on base images made from Debian's packages
# (JDK + Maven to build, JRE to run), with this machine's ~/.m2 mounted so the Maven build inside needs no network
# beyond what the host's build already fetched.
orderflow_image() {
  local image=$1 root=$2 work=$3 start
  debian_base_image "$podman_build_base" openjdk-17-jdk-headless,maven "$work"
  debian_base_image "$podman_runtime_base" openjdk-17-jre-headless "$work"
  mkdir -p "$HOME/.m2"
  start=$(date +%s)
  # --format docker: the OCI image format has no HEALTHCHECK, and podman would drop it.
  podman build --format docker --network host -v "$HOME/.m2:/root/.m2" \
    --build-arg BUILD_IMAGE="$podman_build_base" --build-arg RUNTIME_IMAGE="$podman_runtime_base" \
    -t "$image" "$root" >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; fail "podman build"; }
  echo "built $image in $(( $(date +%s) - start )) s:" \
       "$(podman image inspect --format '{{.Size}}' "$image" | numfmt --to=iec) bytes," \
       "user $(podman image inspect --format '{{.Config.User}}' "$image")," \
       "healthcheck $(podman image inspect --format '{{.Config.Healthcheck.Test}}' "$image")"
}

# binary_image IMAGE BINARY WORK INSTRUCTION...: an image of BINARY (a host executable, e.g. the nats-server that
# bin/ensure-nats-server provides) at /usr/local/bin on a small Debian base (with wget, for health checks), ending
# with the given Containerfile instructions (ENTRYPOINT, USER, ...). Rebuilt every time: it takes a second.
binary_image() {
  local image=$1 binary=$2 work=$3 context
  shift 3
  debian_base_image "$podman_tools_base" wget "$work"
  context=$(mktemp -d "$work/context.XXXXXX")
  cp "$(readlink -f "$binary")" "$context/"
  {
    echo "FROM $podman_tools_base"
    echo "COPY $(basename "$(readlink -f "$binary")") /usr/local/bin/"
    printf '%s\n' "$@"
  } >"$context/Containerfile"
  local log=$work/build-${image##*/}.log
  podman build --format docker --network none -t "$image" -f "$context/Containerfile" "$context" >"$log" 2>&1 \
    || { tail -n 20 "$log" >&2; fail "podman build $image"; }
  rm -rf "$context"
  echo "built $image"
}

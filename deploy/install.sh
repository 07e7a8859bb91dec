#!/usr/bin/env bash
# Installs tswasm on a containerd node: the built shim binaries (containerd-shim-tswasm-v1,
# tswasm-shim) onto containerd's PATH, and the `tswasm` runtime into containerd's config, in
# the config version that containerd speaks (2 for 1.6/1.7, 3 for 2.x). Idempotent: a second
# run changes nothing. Run from a built checkout (`npm run build`) as root.
#
# Usage: deploy/install.sh [--prefix DIR] [--config FILE] [--node PATH] [--no-config] [--restart]
#   --prefix DIR   install under DIR: DIR/lib/tswasm and wrappers in DIR/bin (/usr/local)
#   --config FILE  containerd config to extend (/etc/containerd/config.toml)
#   --node PATH    Node.js (>= 20) the wrappers run ($(command -v node))
#   --no-config    install the binaries only
#   --restart      restart containerd with systemctl afterwards (needed for CRI to see it)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
prefix=/usr/local
config=/etc/containerd/config.toml
node=$(command -v node || true)
write_config=1
restart=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --node) node=$2; shift 2 ;;
    --no-config) write_config=0; shift ;;
    --restart) restart=1; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install: unknown option $1" >&2; exit 2 ;;
  esac
done

say() { echo "install: $*"; }
die() { echo "install: $*" >&2; exit 1; }

[ -n "$node" ] && [ -x "$node" ] || die "Node.js not found; pass --node PATH"
node_major=$("$node" -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node.js $node_major is too old: tswasm needs 20 or newer"
[ -f "$repo/dist/bin/containerd-shim-tswasm-v1.js" ] || die "no build found: run 'npm run build' in $repo"

# 1. Binaries: the bundled scripts into PREFIX/lib/tswasm, and into PREFIX/bin the shim's sh
#    launcher (bin/containerd-shim-tswasm-v1, which answers most start/delete calls without Node)
#    and a wrapper for the CLI, both with an absolute Node path (containerd's PATH may not hold
#    node) and the installed scripts' folder.
lib=$prefix/lib/tswasm
mkdir -p "$lib/dist/bin" "$prefix/bin"
changed=0
for file in "$repo"/dist/bin/*.js; do
  target=$lib/dist/bin/$(basename "$file")
  if ! cmp -s "$file" "$target"; then
    install -m 0644 "$file" "$target"
    changed=1
  fi
done
case "$node$lib" in *"'"*) die "paths with a single quote are not supported: $node $lib" ;; esac
for name in containerd-shim-tswasm-v1 tswasm-shim; do
  wrapper=$(mktemp)
  if [ "$name" = containerd-shim-tswasm-v1 ]; then
    sed -e "s|^node=\$|node='$node'|" -e "s|^dist=\$|dist='$lib/dist/bin'|" \
      "$repo/bin/$name" >"$wrapper"
    grep -q "^dist='" "$wrapper" || die "bin/$name has no dist= line to set"
  else
    printf '#!/bin/sh\nexec %s %s "$@"\n' "$node" "$lib/dist/bin/$name.js" >"$wrapper"
  fi
  if ! cmp -s "$wrapper" "$prefix/bin/$name"; then
    install -m 0755 "$wrapper" "$prefix/bin/$name"
    changed=1
  fi
  rm -f "$wrapper"
done
ln -sfn tswasm-shim "$prefix/bin/tswasm"
if [ "$changed" = 1 ]; then say "installed binaries into $prefix/bin"; else say "binaries up to date"; fi

# 2. containerd config: append the runtime unless it is already there.
if [ "$write_config" = 1 ]; then
  version=2
  if [ -s "$config" ]; then
    version=$(sed -n 's/^[[:space:]]*version[[:space:]]*=[[:space:]]*\([0-9]\+\).*/\1/p' "$config" | head -n1)
    version=${version:-1}
  elif command -v containerd >/dev/null && containerd --version | grep -q ' v\{0,1\}2\.'; then
    version=3
  fi
  case "$version" in
    2) snippet=$repo/deploy/containerd/config-v2.toml ;;
    3) snippet=$repo/deploy/containerd/config-v3.toml ;;
    *) die "$config has config version $version; tswasm supports versions 2 and 3" ;;
  esac
  if [ -f "$config" ] && grep -q 'containerd\.runtimes\.tswasm\]' "$config"; then
    say "$config already has the tswasm runtime"
  else
    mkdir -p "$(dirname "$config")"
    {
      [ -s "$config" ] || echo "version = $version"
      echo
      cat "$snippet"
      # A runtimes table in the file replaces containerd's built-in list, which holds runc, the
      # default runtime: without it the CRI plugin refuses to load. Keep runc when it is absent.
      if ! grep -q 'containerd\.runtimes\.runc\]' "$config" 2>/dev/null; then
        echo
        echo "# containerd's default runtime, kept: a runtimes table replaces the built-in list"
        sed -n 's/runtimes\.tswasm\]$/runtimes.runc]/p' "$snippet"
        echo '  runtime_type = "io.containerd.runc.v2"'
      fi
    } >>"$config"
    say "added the tswasm runtime to $config (config version $version)"
  fi
fi

if [ "$restart" = 1 ]; then
  systemctl restart containerd
  say "restarted containerd"
else
  say "restart containerd for Kubernetes (CRI) to see the tswasm runtime"
fi

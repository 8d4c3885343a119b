#!/bin/sh
# Builds localhost/descartes-example:host-usr with no registry: a root filesystem of empty folders,
# the merged-/usr links (/bin -> usr/bin, ...) and an /etc/passwd, imported with podman. Agents run
# in it with the host's /usr mounted read-only (examples/containers.yaml does), so the host's shell,
# coreutils and node run inside. Needs podman (and runc on cgroup v1 or hybrid hosts).
set -eu
root=$(mktemp -d)
trap 'rm -rf "$root" "$root.tar"' EXIT
mkdir -p "$root/etc" "$root/tmp" "$root/proc" "$root/sys" "$root/dev" "$root/usr" "$root/root" "$root/run" "$root/var/tmp"
for l in bin lib lib64 sbin; do ln -s "usr/$l" "$root/$l"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
echo 'root:x:0:' > "$root/etc/group"
tar -C "$root" -cf "$root.tar" .
podman import "$root.tar" localhost/descartes-example:host-usr >/dev/null
echo localhost/descartes-example:host-usr

# Sourced by ./descartes, bench/run and example/run, with DESCARTES_ROOT set to the checkout: the
# one rule for when a launcher rebuilds, and one lock so that launchers started at the same time
# (two first runs on a fresh clone) build once, one after the other, instead of breaking each
# other's build.
#
#   descartes_build_if_stale NAME STAMP "MODULES" MAVEN_ARGS...
#
# NAME is the launcher's name for messages; STAMP the file the build makes (relative to the root);
# MODULES the folders it is built from. It is stale when STAMP is missing, or when the root
# pom.xml, a module's pom.xml, or any file under a module's src/main/ is newer than STAMP. Then
# ./mvnw -q MAVEN_ARGS... runs under the lock (target/.build.lock), and STAMP is touched.

descartes_stale() {
  # $1: the stamp; the rest: module folders
  _stamp=$1
  shift
  [ -f "$_stamp" ] || return 0
  _newer=$(cd "$DESCARTES_ROOT" && find pom.xml "$@" -newer "$_stamp" -type f \
    \( -path pom.xml -o -path '*/pom.xml' -o -path '*/src/main/*' \) -not -path '*/target/*' 2>/dev/null | head -n 1)
  [ -n "$_newer" ]
}

descartes_build_if_stale() {
  _name=$1 _stampfile=$DESCARTES_ROOT/$2 _modules=$3
  shift 3
  # shellcheck disable=SC2086 # a list of module folders
  descartes_stale "$_stampfile" $_modules || return 0
  mkdir -p "$DESCARTES_ROOT/target"
  _lockfile=$DESCARTES_ROOT/target/.build.lock
  descartes_lock "$_name"
  # shellcheck disable=SC2086
  if descartes_stale "$_stampfile" $_modules; then # not built by whoever held the lock before
    echo "$_name: building (./mvnw -q $*)..." >&2
    if ! (cd "$DESCARTES_ROOT" && ./mvnw -q "$@" >&2); then
      descartes_unlock
      echo "$_name: the build failed; see the Maven output above (retry with: ./mvnw $*)" >&2
      exit 70
    fi
    touch "$_stampfile"
  fi
  descartes_unlock
}

descartes_lock() {
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$_lockfile"
    if ! flock -n 9; then
      echo "$1: another launcher is building this checkout; waiting for it to finish..." >&2
      flock 9
    fi
    return 0
  fi
  # no flock (macOS): a lock folder holding the builder's pid, taken over when that process is gone
  _waited=""
  while ! mkdir "$_lockfile.d" 2>/dev/null; do
    if [ -z "$_waited" ]; then
      echo "$1: another launcher is building this checkout; waiting for it to finish..." >&2
      _waited=yes
    fi
    _holder=$(cat "$_lockfile.d/pid" 2>/dev/null || true)
    if [ -n "$_holder" ] && ! kill -0 "$_holder" 2>/dev/null; then
      rm -rf "$_lockfile.d"
    fi
    sleep 1
  done
  echo $$ >"$_lockfile.d/pid"
}

descartes_unlock() {
  if command -v flock >/dev/null 2>&1; then
    exec 9>&-
  else
    rm -rf "$_lockfile.d"
  fi
}

# Sourced by ./mvnw and ./descartes: points JAVA_HOME at a JDK whose major version is at least
# DESCARTES_JDK (25), so that both work on a machine whose default java is older. Looks at
# JAVA_HOME, the java on PATH, then the usual install folders. Leaves JAVA_HOME alone if it
# already qualifies; fails with a clear message if no such JDK is installed.
DESCARTES_JDK=25

descartes_jdk_major() {
  # $1: a JDK home; prints its major version, or nothing
  [ -f "$1/release" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" | head -n 1
}

descartes_jdk_ok() {
  [ -n "$1" ] && [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  _v=$(descartes_jdk_major "$1")
  [ -n "$_v" ] && [ "$_v" -ge "$DESCARTES_JDK" ]
}

descartes_select_jdk() {
  if descartes_jdk_ok "${JAVA_HOME:-}"; then
    return 0
  fi
  _candidates=""
  if command -v java >/dev/null 2>&1; then
    _j=$(command -v java)
    _j=$(readlink -f "$_j" 2>/dev/null || echo "$_j")
    _candidates="$(dirname "$(dirname "$_j")")"
  fi
  set +f
  for _d in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.jdks/* "$HOME"/.sdkman/candidates/java/* \
            /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$_d" ] && _candidates="$_candidates
$_d"
  done
  set -f
  _best="" _bestv=0
  _old_ifs=$IFS
  IFS='
'
  for _d in $_candidates; do
    if descartes_jdk_ok "$_d"; then
      _v=$(descartes_jdk_major "$_d")
      if [ "$_v" -gt "$_bestv" ]; then _best=$_d _bestv=$_v; fi
    fi
  done
  IFS=$_old_ifs
  if [ -z "$_best" ]; then
    echo "error: this project needs JDK $DESCARTES_JDK or newer, and none was found (looked at" \
         "JAVA_HOME, the java on PATH, /usr/lib/jvm, /opt/java, ~/.jdks, SDKMAN). Install one, e.g." \
         "Temurin $DESCARTES_JDK, or set JAVA_HOME to it." >&2
    exit 1
  fi
  JAVA_HOME=$_best
  export JAVA_HOME
}

descartes_select_jdk

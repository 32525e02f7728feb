# Sourced by ./isthmus and ./run-tests. Sets ISTHMUS_JAVA_HOME to a JDK 25 or newer, or fails.
# Order: $JAVA_HOME when it is 25+, then /usr/lib/jvm/*, /opt/java/*, /usr/local/*jdk*, ~/.sdkman, newest first.

isthmus_java_feature() { # prints the feature release (17, 25, ...) of the JDK at $1, or nothing
  local release="$1/release" v=""
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  if [ -f "$release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  fi
  if [ -z "$v" ]; then
    v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  fi
  printf '%s' "$v"
}

isthmus_find_jdk() {
  local candidate feature best="" best_feature=0
  if [ -n "${JAVA_HOME:-}" ]; then
    feature=$(isthmus_java_feature "$JAVA_HOME")
    if [ -n "$feature" ] && [ "$feature" -ge 25 ]; then ISTHMUS_JAVA_HOME="$JAVA_HOME"; return 0; fi
  fi
  for candidate in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/*jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -d "$candidate" ] || continue
    feature=$(isthmus_java_feature "$candidate")
    [ -n "$feature" ] || continue
    if [ "$feature" -ge 25 ] && [ "$feature" -gt "$best_feature" ]; then best="$candidate"; best_feature="$feature"; fi
  done
  if [ -z "$best" ]; then
    echo "isthmus: no JDK 25 or newer found." >&2
    echo "  Looked at JAVA_HOME (${JAVA_HOME:-unset}) and /usr/lib/jvm/*, /opt/java/*, /usr/local/*jdk*, ~/.sdkman." >&2
    echo "  Install one (for example Temurin 25) or point JAVA_HOME at it." >&2
    return 1
  fi
  ISTHMUS_JAVA_HOME="$best"
}

# Shared by the project's scripts: one build cache outside the clone, reused across runs.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/maildesk-target}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

# Waits until host:port accepts TCP connections, or fails naming what to start.
wait_for_port() {
  local host=$1 port=$2 what=$3 hint=$4 deadline=$((SECONDS + ${5:-20}))
  until (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; do
    if ((SECONDS > deadline)); then
      echo "error: $what is not reachable on $host:$port. $hint" >&2
      return 1
    fi
    sleep 0.5
  done
}

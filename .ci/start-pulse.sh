#!/usr/bin/env bash
# Starts a private PulseAudio daemon with a null sink "earshot_test" for the real-capture test.
# Idempotent: safe to run any number of times; prints the exports a caller needs.
# Usage: eval "$(bash .ci/start-pulse.sh)"   (or just run it; the daemon's socket lives in
# $XDG_RUNTIME_DIR/pulse/native and test code sets XDG_RUNTIME_DIR the same way).
set -euo pipefail

export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/earshot-xdg}"
mkdir -p "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
SINK=earshot_test

for tool in pulseaudio pactl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "start-pulse: $tool is not installed (apt-get install pulseaudio pulseaudio-utils libasound2-plugins)" >&2
    exit 2
  fi
done

if ! pactl info >/dev/null 2>&1; then
  # -n: no default.pa (no hardware probing in a container); --exit-idle-time=-1: stay up between tests.
  # As root PulseAudio warns that it should use --system; the per-user mode still works and keeps
  # the socket under our XDG_RUNTIME_DIR, so the warning is expected.
  pulseaudio --daemonize=yes --exit-idle-time=-1 -n \
    --load=module-native-protocol-unix \
    --load="module-null-sink sink_name=$SINK" \
    --log-target=stderr 2>/dev/null || true
  for _ in $(seq 1 50); do
    pactl info >/dev/null 2>&1 && break
    sleep 0.1
  done
fi

if ! pactl info >/dev/null 2>&1; then
  echo "start-pulse: PulseAudio did not come up (XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR)" >&2
  exit 1
fi

# A daemon started elsewhere (or by an older run) may lack the sink.
if ! pactl list short sinks | awk '{print $2}' | grep -qx "$SINK"; then
  pactl load-module module-null-sink "sink_name=$SINK" >/dev/null
fi
pactl set-default-sink "$SINK"

echo "export XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR"

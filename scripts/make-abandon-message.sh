#!/usr/bin/env bash
# Speaks the abandonment message (47 CFR 64.1200(a)(7): who called and a call-back number) into the WAV file
# rtpengine plays into a customer's leg when no agent is free within 2 s: espeak-ng (text to speech) and sox
# (to 8 kHz mono 16-bit PCM, the telephone rate rtpengine transcodes from without resampling).
#
# Usage: scripts/make-abandon-message.sh [OUT.wav]
#   ABANDON_CALLER_NAME       who is calling, as it should be spoken   (default: "the company that just called you")
#   ABANDON_CALLBACK_NUMBER   the call-back number, spoken digit by digit (default: none; a WARNING is printed)
#   ABANDON_MESSAGE_TEXT      the whole text instead (overrides the two above)
#   ABANDON_VOICE             espeak-ng voice (default en-us)
# Default OUT: src/modules/telephony/rtpengine/sounds/abandon-message-spoken.wav (not committed; the adapter's
# default when present, else the placeholder tone abandon-message.wav beside it, with a warning at startup).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-src/modules/telephony/rtpengine/sounds/abandon-message-spoken.wav}
for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "[abandon-message] ERROR: $tool is not installed (apt-get install espeak-ng sox, or scripts/setup.sh --with-sip)" >&2; exit 2; }
done

name=${ABANDON_CALLER_NAME:-the company that just called you}
number=${ABANDON_CALLBACK_NUMBER:-}
if [ -n "${ABANDON_MESSAGE_TEXT:-}" ]; then
  text=$ABANDON_MESSAGE_TEXT
else
  if [ -z "$number" ]; then
    echo "[abandon-message] WARNING: ABANDON_CALLBACK_NUMBER is not set: the message gives no call-back number. Set it and run this again before calling real people." >&2
    callback="Please call us back at your convenience."
  else
    # "8005550100" -> "8, 0, 0, 5, ..." so the voice reads digits, not a large number.
    spoken=$(printf '%s' "$number" | tr -cd '0-9' | sed 's/./&, /g; s/, $//')
    callback="Please call us back at ${spoken}. Again, that number is ${spoken}."
  fi
  text="Hello. This is ${name}. We are sorry, all of our representatives are busy and no one is available to take your call. ${callback} Thank you, goodbye."
fi

tmp=$(mktemp --suffix=.wav)
trap 'rm -f "$tmp"' EXIT
espeak-ng -v "${ABANDON_VOICE:-en-us}" -s 150 -w "$tmp" "$text"
mkdir -p "$(dirname "$out")"
# 8 kHz mono 16-bit; normalised to -3 dBFS so it is neither lost on the line nor clipped after mu-law encoding.
sox "$tmp" -r 8000 -c 1 -b 16 -e signed-integer "$out" norm -3
printf '[abandon-message] wrote %s (%s s)\n' "$out" "$(soxi -D "$out")"

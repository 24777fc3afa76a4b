#!/usr/bin/env bash
# castbook set-up for a fresh Debian/Ubuntu machine: system packages (espeak-ng, ffmpeg), a virtualenv
# with castbook and its test tools, then the demo render or the whole test suite.
#   bash scripts/setup.sh demo   # install everything, render seeds/the-lantern-keeper.txt into out/
#   bash scripts/setup.sh test   # install everything, run the tests
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-demo}"
case "$what" in demo|test|install) ;; *) echo "usage: bash scripts/setup.sh demo|test|install" >&2; exit 2 ;; esac

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

python=${PYTHON:-python3}
missing=()
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf ] || missing+=(fonts-dejavu-core)  # generated covers
command -v "$python" >/dev/null 2>&1 || missing+=(python3)
"$python" -c "import venv, ensurepip" >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  echo "castbook: installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "castbook needs Python 3.11 or newer (Debian 12, Ubuntu 24.04); this is $("$python" --version)" >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".[test]"

case "$what" in
  demo)
    .venv/bin/castbook render seeds/the-lantern-keeper.txt -o out/the-lantern-keeper
    echo "Listen: out/the-lantern-keeper/The Lantern Keeper.m4b (or any chapter file beside it)."
    echo "Next: source .venv/bin/activate, then castbook --help"
    ;;
  test)
    .venv/bin/python -m pytest -q
    ;;
  install)
    echo "Installed. Run: source .venv/bin/activate && castbook --help"
    ;;
esac

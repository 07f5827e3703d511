#!/usr/bin/env bash
# Debian packages the tests need (test/integration/keychain.test.ts: a real Secret Service):
#   gnome-keyring    gnome-keyring-daemon (the Secret Service)
#   libsecret-tools  secret-tool (checks what mcpwire stored, as a person would)
#   dbus-daemon      dbus-run-session (a private session bus)
#   chromium         /usr/bin/chromium, the real browser that signs in on oidc-provider's consent page
#                    (test/integration/oidc.test.ts, driven through playwright-core)
# Idempotent: when every tool is already there it only prints what it found; `apt-get update` runs
# only when something has to be installed. --no-install-recommends keeps it small (chromium is most of it).
set -euo pipefail

packages=(gnome-keyring libsecret-tools dbus-daemon chromium)
tools=(gnome-keyring-daemon secret-tool dbus-run-session chromium)

missing=()
for i in "${!tools[@]}"; do
  command -v "${tools[$i]}" >/dev/null 2>&1 || missing+=("${packages[$i]}")
done

if ((${#missing[@]} == 0)); then
  echo "system: $(gnome-keyring-daemon --version 2>/dev/null | head -n1), secret-tool, dbus-run-session, $(chromium --version 2>/dev/null | head -n1) present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system: missing ${missing[*]} and no apt-get here; install them with the system's package manager" >&2
  exit 1
fi
sudo=()
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-system: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi

echo "installing Debian packages: ${missing[*]} ..."
start=$SECONDS
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for t in "${tools[@]}"; do
  command -v "$t" >/dev/null 2>&1 || { echo "install-system: installed, but $t is still missing" >&2; exit 1; }
done
echo "installed in $((SECONDS - start))s"

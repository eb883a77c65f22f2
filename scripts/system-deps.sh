#!/usr/bin/env bash
# Install the Debian packages the project needs when they are missing:
# PostgreSQL 15 server (tests), Chromium (browser tests), CJK fonts (PDF and screenshots),
# poppler-utils (PDF to image in tests), Pango (WeasyPrint), Node.js/npm (front-end packages).
set -euo pipefail
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
need=()
for package in postgresql-15 chromium fonts-noto-cjk poppler-utils libpango-1.0-0 libpangoft2-1.0-0; do
  installed "$package" || need+=("$package")
done
command -v npm >/dev/null || need+=(nodejs npm)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "安装系统软件包: ${need[*]}"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

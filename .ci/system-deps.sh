#!/usr/bin/env bash
# Debian packages the test suite uses: LibreOffice (a second reader of the .docx files),
# poppler (PDF to PNG/text), the Liberation fonts (metric-compatible Times New Roman),
# Xvfb, SoftHSM2 (PKCS#11 token for the signing tests), NSIS (compiles the Windows installer script), wine64 (runs that installer) and PostgreSQL (shared-office tests).
# Installs only what is missing; needs root (CI runs as root). Without root it says what is
# missing and the tests that need it are skipped with that reason.
set -euo pipefail
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ -e /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ] || need+=(fonts-liberation2)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
command -v makensis >/dev/null 2>&1 || need+=(nsis)
# wine64 runs the compiled installer: install, upgrade in place, uninstall (tests/test_installer.py).
[ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null 2>&1 || need+=(wine64)
# SoftHSM2: a software PKCS#11 token, the test stand-in for the office's USB token (tests/test_signing.py).
[ -e /usr/lib/softhsm/libsofthsm2.so ] || need+=(softhsm2)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# Qt's xcb platform plugin needs these even offscreen-capable builds load them lazily.
dpkg -s libegl1 >/dev/null 2>&1 || need+=(libegl1)
dpkg -s libxkbcommon0 >/dev/null 2>&1 || need+=(libxkbcommon0)
dpkg -s libfontconfig1 >/dev/null 2>&1 || need+=(libfontconfig1)
dpkg -s libdbus-1-3 >/dev/null 2>&1 || need+=(libdbus-1-3)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Thiếu các gói hệ thống: ${need[*]} (cần quyền root để cài bằng apt-get); các kiểm thử dùng chúng sẽ bị bỏ qua." >&2
  exit 0
fi
echo "Cài các gói hệ thống: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

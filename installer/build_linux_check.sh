#!/usr/bin/env bash
# What CI can prove about the Windows installer on Linux (docs/pitfalls.md #12):
#   1. installer/bdhvs-desktop.spec - the SAME spec the Windows build uses - builds a
#      one-folder bundle with both programs (bdhvs-desktop and bdhvs);
#   2. the bundle holds the data folders and the migrations, and none of the Qt modules and
#      plugins it is meant to leave out; every Qt library its plugins link to is inside it;
#   3. `<bundle>/bdhvs-desktop --smoke-test` passes offscreen on a fresh database in a
#      temporary BDHVS_HOME (exit 0, the database is created there);
#   4. `<bundle>/bdhvs --version`, `bdhvs demo` and `bdhvs check` work on a temporary database, and
#      `bdhvs signing sign-pdf` / `verify` sign and verify a PDF (pyHanko is imported lazily);
#   5. `makensis -WX` compiles installer/bdhvs-desktop.nsi against this bundle into a real
#      Windows installer (.exe);
#   6. it reports the bundle's size (MB) and start time (launch to the smoke test's exit,
#      against `python -m bdhvs_desktop --smoke-test`).
#
# Usage: installer/build_linux_check.sh [WORK_DIR]
#   WORK_DIR (default: a new temporary folder, removed at the end unless KEEP=1) receives
#   build/, dist/bdhvs-desktop/ and the installer .exe.
# Environment: PYTHON (default: .venv/bin/python of the repository, else python3),
#   RUNS (start-time runs of each kind, default 3).
# Each measured figure is printed as a line `RESULT name=value`; the script exits 0 only if
# every check passed.
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
if [ -z "${PYTHON:-}" ]; then
  if [ -x "$ROOT/.venv/bin/python" ]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON=python3; fi
fi
RUNS="${RUNS:-3}"
if [ -n "${1:-}" ]; then
  WORK="$(mkdir -p "$1" && cd "$1" && pwd)"
else
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/bdhvs-installer.XXXXXX")"
  if [ "${KEEP:-0}" != "1" ]; then trap 'rm -rf "$WORK"' EXIT; fi
fi

passed=0
failed=0
ok()   { echo "ĐẠT   $*"; passed=$((passed + 1)); }
bad()  { echo "LỖI   $*"; failed=$((failed + 1)); }
now()  { date +%s.%N; }
secs() { "$PYTHON" -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
finish() {
  echo "Kết quả: $passed kiểm tra đạt, $failed không đạt."
  [ "$failed" -eq 0 ] && exit 0 || exit 1
}

VERSION="$("$PYTHON" -c 'import re,sys; print(re.search(r"__version__\s*=\s*[\"\x27]([^\"\x27]+)", open(sys.argv[1], encoding="utf-8").read()).group(1))' bdhvs_desktop/__init__.py)"
echo "bdhvs-desktop $VERSION — kiểm tra bản đóng gói trên $(uname -sm), thư mục làm việc $WORK"

# --- 1. Build the bundle --------------------------------------------------------------------
if ! "$PYTHON" -c 'import PyInstaller' >/dev/null 2>&1; then
  echo "Chưa có PyInstaller trong $PYTHON: cài từ PyPI…"
  "$PYTHON" -m pip install -q "pyinstaller>=6.10" || { bad "không cài được PyInstaller"; finish; }
fi
rm -rf "$WORK/build" "$WORK/dist"
t0=$(now)
if "$PYTHON" -m PyInstaller --noconfirm --log-level WARN \
     --distpath "$WORK/dist" --workpath "$WORK/build" installer/bdhvs-desktop.spec \
     >"$WORK/pyinstaller.log" 2>&1; then
  build_seconds=$(secs "$t0" "$(now)")
  ok "PyInstaller đã dựng bản một thư mục trong ${build_seconds} giây"
  echo "RESULT build_seconds=$build_seconds"
else
  tail -40 "$WORK/pyinstaller.log"
  bad "PyInstaller không dựng được bản đóng gói (nhật ký: $WORK/pyinstaller.log)"
  finish
fi
BUNDLE="$WORK/dist/bdhvs-desktop"
INTERNAL="$BUNDLE/_internal"

# --- 2. What is (and is not) in the bundle ---------------------------------------------------
for exe in bdhvs-desktop bdhvs; do
  if [ -x "$BUNDLE/$exe" ]; then ok "có chương trình $exe"; else bad "thiếu chương trình $exe trong $BUNDLE"; fi
done
for folder in resources forms_templates ui; do
  if [ -d "$INTERNAL/$folder" ]; then ok "có thư mục dữ liệu $folder"; else bad "thiếu thư mục dữ liệu $folder"; fi
done
presets_src=$(find resources/presets -name '*.toml' 2>/dev/null | wc -l)
presets_dst=$(find "$INTERNAL/resources/presets" -name '*.toml' 2>/dev/null | wc -l)
if [ "$presets_dst" -eq "$presets_src" ] && [ "$presets_src" -gt 0 ]; then
  ok "đủ $presets_dst kế hoạch mẫu (.toml)"
else
  bad "kế hoạch mẫu: $presets_dst trong bản đóng gói, $presets_src trong mã nguồn"
fi
mig_src=$(find bdhvs_desktop/storage/migrations/versions -name '[0-9]*.py' | wc -l)
mig_dst=$(find "$INTERNAL/bdhvs_desktop/storage/migrations/versions" -name '[0-9]*.py' 2>/dev/null | wc -l)
if [ "$mig_dst" -eq "$mig_src" ] && [ -f "$INTERNAL/bdhvs_desktop/storage/migrations/env.py" ]; then
  ok "đủ $mig_dst bản nâng cấp lược đồ (Alembic) và env.py"
else
  bad "bản nâng cấp lược đồ: $mig_dst trong bản đóng gói, $mig_src trong mã nguồn"
fi
unwanted=$(find "$INTERNAL" \( -iname '*QtWebEngine*' -o -iname '*Qt6Qml*' -o -iname '*Qt6Quick*' \
  -o -iname '*Qt6Pdf*' -o -iname '*Qt6Multimedia*' -o -iname '*Qt63D*' -o -iname '*Qt6Charts*' \
  -o -iname '*Qt6VirtualKeyboard*' -o -iname 'QtQml*' -o -iname 'QtQuick*' -o -iname 'QtNetwork*' \
  -o -iname 'QtSql*' -o -iname 'QtDesigner*' -o -iname '*qtvirtualkeyboard*' -o -iname '*gtk-3*' \
  -o -path '*/plugins/sqldrivers*' -o -path '*/plugins/qmltooling*' -o -path '*/PySide6/Qt/qml*' \) -print | head -5)
if [ -z "$unwanted" ]; then
  ok "không có mô-đun Qt thừa (WebEngine, Qml/Quick, Pdf, Multimedia, 3D, Charts, SQL, bàn phím ảo)"
else
  bad "bản đóng gói còn phần Qt lẽ ra bị loại: $(echo "$unwanted" | tr '\n' ' ')"
fi
qt_missing=""
qt_lib_dir="$INTERNAL/PySide6/Qt/lib"
while IFS= read -r -d '' so; do
  missing=$(LD_LIBRARY_PATH="$INTERNAL:$qt_lib_dir" ldd "$so" 2>/dev/null | awk '/not found/ && /Qt6|pyside|shiboken/ {print $1}')
  [ -n "$missing" ] && qt_missing+="$(basename "$so"): $missing; "
done < <(find "$INTERNAL/PySide6" -name '*.so*' -type f -print0)
if [ -z "$qt_missing" ]; then
  ok "mọi thư viện Qt mà các plugin và mô-đun PySide6 cần đều có trong bản đóng gói"
else
  bad "thiếu thư viện Qt: $qt_missing"
fi
size_mb=$(du -sk "$BUNDLE" | awk '{printf "%.1f", $1 / 1024}')
files=$(find "$BUNDLE" -type f | wc -l)
echo "RESULT bundle_size_mb=$size_mb"
echo "RESULT bundle_files=$files"
ok "kích thước bản đóng gói: $size_mb MB, $files tệp"

# --- 3. The desktop program starts (smoke test) on a fresh database -------------------------
smoke() {  # smoke <label> <command...>: runs in a fresh BDHVS_HOME, prints the seconds taken
  local home t_start t_end rc
  home="$(mktemp -d "$WORK/home.XXXXXX")"
  t_start=$(now)
  (cd "$home" && env -u BDHVS_DB BDHVS_HOME="$home" QT_QPA_PLATFORM=offscreen "${@:2}" >"$home/out.txt" 2>&1)
  rc=$?
  t_end=$(now)
  if [ $rc -ne 0 ]; then
    cat "$home/out.txt" >&2
    echo "FAIL rc=$rc"
  elif [ ! -s "$home/bdhvs.sqlite3" ]; then
    echo "FAIL no-database"
  else
    secs "$t_start" "$t_end"
  fi
}
bundle_times=()
source_times=()
for i in $(seq 1 "$RUNS"); do
  t=$(smoke bundle "$BUNDLE/bdhvs-desktop" --smoke-test)
  if [[ "$t" == FAIL* ]]; then bad "bdhvs-desktop --smoke-test (bản đóng gói) không đạt: $t"; break; fi
  bundle_times+=("$t")
  t=$(smoke source "$PYTHON" -m bdhvs_desktop --smoke-test)
  if [[ "$t" == FAIL* ]]; then bad "python -m bdhvs_desktop --smoke-test (mã nguồn) không đạt: $t"; break; fi
  source_times+=("$t")
done
if [ ${#bundle_times[@]} -eq "$RUNS" ] && [ ${#source_times[@]} -eq "$RUNS" ]; then
  bundle_start=$(median "${bundle_times[@]}")
  source_start=$(median "${source_times[@]}")
  ratio=$("$PYTHON" -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$bundle_start" "$source_start")
  ok "bdhvs-desktop --smoke-test của bản đóng gói đạt trên cơ sở dữ liệu mới ($RUNS lần)"
  echo "RESULT bundle_start_seconds=$bundle_start"
  echo "RESULT source_start_seconds=$source_start"
  echo "RESULT start_ratio=$ratio"
  echo "Thời gian khởi động (từ lúc chạy đến khi kiểm tra khởi động xong, trung vị $RUNS lần):" \
       "bản đóng gói ${bundle_start} giây, từ mã nguồn ${source_start} giây (tỉ lệ ${ratio})."
fi

# --- 4. The command line ----------------------------------------------------------------------
cli_home="$(mktemp -d "$WORK/cli.XXXXXX")"
t0=$(now)
version_out=$(env BDHVS_HOME="$cli_home" "$BUNDLE/bdhvs" --version 2>&1)
rc=$?
cli_seconds=$(secs "$t0" "$(now)")
if [ $rc -eq 0 ] && [ "$version_out" = "bdhvs-desktop $VERSION" ]; then
  ok "bdhvs --version: $version_out (${cli_seconds} giây)"
  echo "RESULT cli_version_seconds=$cli_seconds"
else
  bad "bdhvs --version trả về mã $rc: $version_out"
fi
if env BDHVS_HOME="$cli_home" "$BUNDLE/bdhvs" --db "$cli_home/demo.sqlite3" demo >"$cli_home/demo.txt" 2>&1; then
  ok "bdhvs demo: $(head -1 "$cli_home/demo.txt")"
else
  cat "$cli_home/demo.txt"
  bad "bdhvs demo không chạy được"
fi
if env BDHVS_HOME="$cli_home" "$BUNDLE/bdhvs" check --db "$cli_home/demo.sqlite3" >"$cli_home/check.txt" 2>&1; then
  ok "bdhvs check trên phường mẫu: $(tail -1 "$cli_home/check.txt")"
else
  cat "$cli_home/check.txt"
  bad "bdhvs check báo lỗi trên phường mẫu"
fi
# The PostgreSQL driver (shared-office mode) loads inside the bundle: a connection to a closed
# local port must fail in libpq ("connection failed"), not for a missing module or pq wrapper.
if "$PYTHON" -c 'import psycopg' >/dev/null 2>&1; then
  pg_out=$(env BDHVS_HOME="$cli_home" timeout 60 "$BUNDLE/bdhvs" --db "postgresql+psycopg://bdhvs@127.0.0.1:1/bdhvs" check 2>&1)
  if echo "$pg_out" | grep -q "connection failed" && ! echo "$pg_out" | grep -qi -E "no pq wrapper|No module named|Can't load plugin"; then
    ok "trình điều khiển PostgreSQL (psycopg + libpq) nạp được trong bản đóng gói"
  else
    echo "$pg_out"
    bad "trình điều khiển PostgreSQL không nạp được trong bản đóng gói"
  fi
fi

# Digital signatures: documents/signing.py imports pyHanko, certvalidator, fontTools/uharfbuzz and pypdf lazily,
# so only running them proves the spec bundles them. A test CA and a .p12 made with the source tree's tests/pki.py;
# the bundled command line signs (with the visible stamp) and verifies; a token through SoftHSM2 when installed.
sign_dir="$cli_home/signing"
mkdir -p "$sign_dir"
if "$PYTHON" - "$sign_dir" >"$sign_dir/make.log" 2>&1 <<'PYEOF'
import sys
from pathlib import Path

sys.path.insert(0, "tests")
from pki import TestCA  # noqa: E402
from test_signing import sample_pdf, seal_png  # noqa: E402

out = Path(sys.argv[1])
ca = TestCA.create("CA Thử nghiệm")
(out / "ca.cer").write_bytes(ca.der)
ca.pkcs12(out / "cq.p12", "ỦY BAN NHÂN DÂN PHƯỜNG LA GI", passphrase=b"mk")
(out / "in.pdf").write_bytes(sample_pdf())
(out / "seal.png").write_bytes(seal_png())
PYEOF
then
  sign_out=$(env BDHVS_HOME="$cli_home" BDHVS_P12_PASSWORD=mk "$BUNDLE/bdhvs" signing sign-pdf "$sign_dir/in.pdf" \
               "$sign_dir/out.pdf" --p12 "$sign_dir/cq.p12" --seal "$sign_dir/seal.png" --anchor "CHỦ TỊCH" 2>&1 \
             && env BDHVS_HOME="$cli_home" "$BUNDLE/bdhvs" signing verify "$sign_dir/out.pdf" --ca "$sign_dir/ca.cer" 2>&1)
  if [ $? -eq 0 ] && echo "$sign_out" | grep -q "Chữ ký 1: HỢP LỆ"; then
    ok "chữ ký số trong bản đóng gói: ký PDF (PAdES, dấu hiển thị) và kiểm tra được (có ảnh con dấu)"
  else
    echo "$sign_out"
    bad "bản đóng gói không ký/kiểm tra được chữ ký số"
  fi
  if [ -e /usr/lib/softhsm/libsofthsm2.so ] && command -v softhsm2-util >/dev/null 2>&1; then
    mkdir -p "$sign_dir/tokens"
    printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$sign_dir/tokens" >"$sign_dir/softhsm2.conf"
    SOFTHSM2_CONF="$sign_dir/softhsm2.conf" softhsm2-util --init-token --free --label BUNDLE-TOKEN \
      --so-pin 12345678 --pin 123456 >/dev/null 2>&1
    tok_out=$(env BDHVS_HOME="$cli_home" SOFTHSM2_CONF="$sign_dir/softhsm2.conf" "$BUNDLE/bdhvs" signing tokens \
                --lib /usr/lib/softhsm/libsofthsm2.so 2>&1)
    if echo "$tok_out" | grep -q 'Token "BUNDLE-TOKEN"'; then
      ok "python-pkcs11 nạp được thư viện PKCS#11 (SoftHSM2) trong bản đóng gói"
    else
      echo "$tok_out"
      bad "bản đóng gói không đọc được token PKCS#11 (SoftHSM2)"
    fi
  fi
else
  cat "$sign_dir/make.log"
  bad "không tạo được CA và tệp .p12 thử để kiểm tra chữ ký số"
fi

# --- 5. The NSIS installer script compiles against this bundle ------------------------------
if command -v makensis >/dev/null 2>&1; then
  setup="$WORK/bdhvs-desktop-setup-$VERSION.exe"
  rm -f "$setup"
  # NO_COMPRESSION: the same script without two minutes of LZMA (the Windows build compresses).
  if makensis -WX -V2 -DNO_COMPRESSION -DBUNDLE_DIR="$BUNDLE" -DOUTFILE="$setup" \
       installer/bdhvs-desktop.nsi >"$WORK/makensis.log" 2>&1 \
     && [ "$(head -c 2 "$setup" 2>/dev/null)" = "MZ" ]; then
    ok "makensis -WX đã dịch installer/bdhvs-desktop.nsi thành $(basename "$setup") ($(du -m "$setup" | cut -f1) MB, không nén)"
    echo "RESULT installer_compiled=1"
  else
    cat "$WORK/makensis.log"
    bad "makensis -WX không dịch được installer/bdhvs-desktop.nsi"
  fi
else
  bad "không có makensis (gói Debian nsis; .ci/system-deps.sh cài nó)"
fi

# --- 6. Install, upgrade and uninstall under wine (when wine64 is installed) ------------------
# The installer's behaviour, not just its compilation: two small stand-in bundles (0.0.1 with a
# file that 0.0.2 no longer has) are built into installers from the same .nsi and run silently.
WINE=""; WINESERVER=""
for c in wine64 /usr/lib/wine/wine64; do command -v "$c" >/dev/null 2>&1 && { WINE="$(command -v "$c")"; break; }; done
for c in wineserver64 wineserver /usr/lib/wine/wineserver64 /usr/lib/wine/wineserver; do command -v "$c" >/dev/null 2>&1 && { WINESERVER="$(command -v "$c")"; break; }; done
if [ -n "$WINE" ] && [ -n "$WINESERVER" ] && command -v makensis >/dev/null 2>&1; then
  W="$WORK/wine"
  rm -rf "$W"; mkdir -p "$W/v1/_internal" "$W/v2/_internal"
  echo v1 >"$W/v1/bdhvs-desktop.exe"; echo v1 >"$W/v1/bdhvs.exe"
  echo v1 >"$W/v1/_internal/common.txt"; echo v1 >"$W/v1/_internal/old-only.txt"
  echo v2 >"$W/v2/bdhvs-desktop.exe"; echo v2 >"$W/v2/bdhvs.exe"; echo v2 >"$W/v2/_internal/common.txt"
  for v in 1 2; do
    makensis -WX -V2 -DNO_COMPRESSION -DVERSION="0.0.$v" -DBUNDLE_DIR="$W/v$v" -DOUTFILE="$W/bdhvs-desktop-setup-0.0.$v.exe" \
      installer/bdhvs-desktop.nsi >>"$W/makensis.log" 2>&1 || bad "makensis: trình cài đặt thử 0.0.$v"
  done
  export WINEPREFIX="$W/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  wine() { env -u DISPLAY timeout 180 "$WINE" "$@" >>"$W/wine.log" 2>&1; local rc=$?; "$WINESERVER" -w; return $rc; }
  regvalue() { env -u DISPLAY "$WINE" reg query 'HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\bdhvs-desktop' /v "$1" 2>/dev/null | tr -d '\r' | awk -v k="$1" '$1 == k {print $3}'; }
  if wine wineboot --init; then
    users="$WINEPREFIX/drive_c/users"
    U="$(find "$users" -mindepth 1 -maxdepth 1 -type d ! -name Public | head -1)"
    APP="$U/AppData/Local/Programs/bdhvs-desktop"
    DATA="$U/AppData/Local/bdhvs/bdhvs-desktop"
    LNK="$U/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Bình dân học vụ số.lnk"
    wine "$W/bdhvs-desktop-setup-0.0.1.exe" /S
    if [ -f "$APP/bdhvs-desktop.exe" ] && [ -f "$APP/_internal/old-only.txt" ] && [ -f "$APP/Gỡ cài đặt.exe" ] \
       && [ "$(regvalue DisplayVersion)" = "0.0.1" ] && [ -f "$LNK" ]; then
      ok "wine: cài 0.0.1 không cần quyền quản trị vào %LOCALAPPDATA%\\Programs\\bdhvs-desktop, có lối tắt menu Start và khóa gỡ cài đặt trong HKCU"
      echo "RESULT wine_install=1"
    else
      bad "wine: cài 0.0.1 không đúng (thư mục $APP, phiên bản '$(regvalue DisplayVersion)')"
    fi
    mkdir -p "$DATA/backups"; echo "dữ liệu thật" >"$DATA/bdhvs.sqlite3"; echo "sao lưu" >"$DATA/backups/b1.sqlite3"
    wine "$W/bdhvs-desktop-setup-0.0.2.exe" /S
    if [ "$(cat "$APP/_internal/common.txt" 2>/dev/null)" = "v2" ] && [ ! -e "$APP/_internal/old-only.txt" ] \
       && [ "$(regvalue DisplayVersion)" = "0.0.2" ] && [ -f "$LNK" ] && [ -f "$DATA/bdhvs.sqlite3" ]; then
      ok "wine: nâng cấp tại chỗ lên 0.0.2 (tệp của bản cũ không còn sót, dữ liệu giữ nguyên)"
      echo "RESULT wine_upgrade=1"
    else
      bad "wine: nâng cấp lên 0.0.2 không đúng"
    fi
    # The uninstaller copies itself to %TEMP% and returns at once; wineserver -w waits for it.
    wine "$APP/Gỡ cài đặt.exe" /S
    "$WINESERVER" -w
    if [ ! -e "$APP" ] && [ -z "$(regvalue DisplayVersion)" ] && [ ! -e "$LNK" ] \
       && [ "$(cat "$DATA/bdhvs.sqlite3" 2>/dev/null)" = "dữ liệu thật" ] && [ -f "$DATA/backups/b1.sqlite3" ]; then
      ok "wine: gỡ cài đặt xóa chương trình, lối tắt và khóa đăng ký, giữ nguyên thư mục dữ liệu"
      echo "RESULT wine_uninstall=1"
    else
      bad "wine: gỡ cài đặt không đúng (còn $APP? $( [ -e "$APP" ] && echo có || echo không); dữ liệu: $( [ -f "$DATA/bdhvs.sqlite3" ] && echo còn || echo MẤT))"
    fi
    "$WINESERVER" -k >/dev/null 2>&1 || true
  else
    bad "wine: không khởi tạo được WINEPREFIX (nhật ký: $W/wine.log)"
  fi
else
  echo "BỎ QUA cài/nâng cấp/gỡ thử dưới wine: chưa cài wine64 (gói Debian wine64)."
fi

finish

<#
.SYNOPSIS
  Dựng trình cài đặt Windows của bdhvs-desktop: dist\bdhvs-desktop-setup-<phiên bản>.exe

.DESCRIPTION
  Chạy trên một máy Windows 10/11 64-bit có:
    * Python 3.11, 3.12 hoặc 3.13 (64-bit) từ python.org (có trình khởi chạy "py");
    * NSIS 3 (https://nsis.sourceforge.io, có makensis.exe).
  Các bước:
    1. tạo môi trường ảo build\venv và cài chương trình (kèm trình điều khiển PostgreSQL) cùng PyInstaller;
    2. PyInstaller dựng bản một thư mục dist\bdhvs-desktop theo installer\bdhvs-desktop.spec
       (bdhvs-desktop.exe có cửa sổ, bdhvs.exe dòng lệnh, chung thư mục _internal);
    3. chạy thử bản vừa dựng: bdhvs-desktop.exe --smoke-test trên cơ sở dữ liệu mới trong một
       thư mục tạm, bdhvs.exe --version, bdhvs.exe demo và bdhvs.exe check;
    4. makensis -WX dịch installer\bdhvs-desktop.nsi thành dist\bdhvs-desktop-setup-<phiên bản>.exe.
  Dừng ngay ở bước đầu tiên hỏng, với thông báo nói rõ bước nào.

.EXAMPLE
  powershell -ExecutionPolicy Bypass -File installer\build_windows.ps1
.EXAMPLE
  powershell -ExecutionPolicy Bypass -File installer\build_windows.ps1 -Python "py -3.12" -Clean
#>
[CmdletBinding()]
param(
    # Lệnh chạy Python dùng để tạo môi trường ảo (mặc định: bản 3.11-3.13 đầu tiên tìm thấy).
    [string]$Python = "",
    # Đường dẫn makensis.exe (mặc định: tìm trong PATH và trong thư mục cài NSIS).
    [string]$Makensis = "",
    # Xóa build\ và dist\ cũ trước khi dựng.
    [switch]$Clean,
    # Chỉ dựng và chạy thử bản một thư mục, không dịch trình cài đặt.
    [switch]$SkipInstaller
)

$ErrorActionPreference = "Stop"
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8  # Vietnamese messages of pip, bdhvs.exe and this script
$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root

function Step([string]$Text) { Write-Host ""; Write-Host "==> $Text" -ForegroundColor Cyan }
function Fail([string]$Text) { Write-Host "LỖI: $Text" -ForegroundColor Red; exit 1 }
function Invoke-Checked([string]$What, [scriptblock]$Command) {
    & $Command
    if ($LASTEXITCODE -ne 0) { Fail "$What (mã thoát $LASTEXITCODE)" }
}

# --- Python -------------------------------------------------------------------------------
Step "Tìm Python 3.11-3.13"
$candidates = if ($Python) { @($Python) } else { @("py -3.11", "py -3.12", "py -3.13", "python") }
$pythonExe = $null
$pythonArgs = @()
foreach ($candidate in $candidates) {
    $parts = @($candidate -split " " | Where-Object { $_ })
    $rest = if ($parts.Count -gt 1) { @($parts[1..($parts.Count - 1)]) } else { @() }
    try {
        & $parts[0] @rest -c "import sys, struct; sys.exit(0 if (3,11) <= sys.version_info[:2] <= (3,13) and struct.calcsize('P') == 8 else 1)" 2>$null
        if ($LASTEXITCODE -eq 0) { $pythonExe = $parts[0]; $pythonArgs = $rest; break }
    } catch { }
}
if (-not $pythonExe) { Fail "không tìm thấy Python 3.11, 3.12 hoặc 3.13 bản 64-bit. Cài từ python.org rồi chạy lại (hoặc chỉ rõ: -Python `"py -3.11`")." }
Write-Host ("Dùng: " + (@($pythonExe) + $pythonArgs -join " "))

if ($Clean) {
    Step "Xóa build\ và dist\ cũ"
    Remove-Item -Recurse -Force -ErrorAction SilentlyContinue "build", "dist"
}

# --- 1. Virtual environment ------------------------------------------------------------------
$venv = Join-Path $Root "build\venv"
$py = Join-Path $venv "Scripts\python.exe"
if (-not (Test-Path $py)) {
    Step "Tạo môi trường ảo build\venv"
    Invoke-Checked "không tạo được môi trường ảo" { & $pythonExe @pythonArgs -m venv $venv }
}
Step "Cài chương trình và PyInstaller vào build\venv"
Invoke-Checked "không cập nhật được pip" { & $py -m pip install --quiet --upgrade pip }
Invoke-Checked "không cài được chương trình (pip install -e .[postgres])" { & $py -m pip install --quiet -e ".[postgres]" "pyinstaller>=6.10" }
$version = (& $py -c "import bdhvs_desktop; print(bdhvs_desktop.__version__)").Trim()
if ($LASTEXITCODE -ne 0 -or -not $version) { Fail "không đọc được phiên bản của gói bdhvs_desktop" }
Write-Host "Phiên bản: $version"

# --- 2. One-folder bundle --------------------------------------------------------------------
Step "PyInstaller: dựng dist\bdhvs-desktop"
$started = Get-Date
Invoke-Checked "PyInstaller không dựng được bản đóng gói" {
    & $py -m PyInstaller --noconfirm --clean --log-level WARN --distpath (Join-Path $Root "dist") --workpath (Join-Path $Root "build\pyinstaller") "installer\bdhvs-desktop.spec"
}
$bundle = Join-Path $Root "dist\bdhvs-desktop"
$gui = Join-Path $bundle "bdhvs-desktop.exe"
$cli = Join-Path $bundle "bdhvs.exe"
foreach ($exe in @($gui, $cli)) { if (-not (Test-Path $exe)) { Fail "thiếu $exe" } }
$sizeMb = [math]::Round(((Get-ChildItem -Recurse -File $bundle | Measure-Object -Sum Length).Sum / 1MB), 1)
Write-Host ("Xong sau {0:N0} giây; bản đóng gói {1} MB." -f ((Get-Date) - $started).TotalSeconds, $sizeMb)

# --- 3. Try the bundle -----------------------------------------------------------------------
Step "Chạy thử bản đóng gói trên cơ sở dữ liệu mới"
$checkHome = Join-Path ([System.IO.Path]::GetTempPath()) ("bdhvs-check-" + [guid]::NewGuid().ToString("N"))
New-Item -ItemType Directory -Path $checkHome | Out-Null
$savedHome = $env:BDHVS_HOME; $savedQpa = $env:QT_QPA_PLATFORM; $savedDb = $env:BDHVS_DB
try {
    $env:BDHVS_HOME = $checkHome
    $env:QT_QPA_PLATFORM = "offscreen"
    Remove-Item Env:BDHVS_DB -ErrorAction SilentlyContinue
    # bdhvs-desktop.exe is a windowed program: PowerShell does not wait for it on its own, and
    # Start-Process -PassThru may lose its exit code, so the process is started and awaited here.
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $startInfo = New-Object System.Diagnostics.ProcessStartInfo
    $startInfo.FileName = $gui
    $startInfo.Arguments = "--smoke-test"
    $startInfo.UseShellExecute = $false
    $proc = [System.Diagnostics.Process]::Start($startInfo)
    if (-not $proc.WaitForExit(180000)) { $proc.Kill(); Fail "bdhvs-desktop.exe --smoke-test không kết thúc sau 3 phút" }
    $watch.Stop()
    if ($proc.ExitCode -ne 0) { Fail "bdhvs-desktop.exe --smoke-test trả về mã $($proc.ExitCode) (nhật ký: $checkHome\logs\bdhvs.log)" }
    if (-not (Test-Path (Join-Path $checkHome "bdhvs.sqlite3"))) { Fail "bdhvs-desktop.exe --smoke-test không tạo cơ sở dữ liệu trong $checkHome" }
    Write-Host ("bdhvs-desktop.exe --smoke-test: đạt sau {0:N2} giây." -f $watch.Elapsed.TotalSeconds)
    Remove-Item Env:QT_QPA_PLATFORM
    $reported = (& $cli --version | Out-String).Trim()
    if ($LASTEXITCODE -ne 0 -or $reported -ne "bdhvs-desktop $version") { Fail "bdhvs.exe --version trả về '$reported'" }
    Write-Host "bdhvs.exe --version: $reported"
    $demo = Join-Path $checkHome "demo.sqlite3"
    Invoke-Checked "bdhvs.exe demo không chạy được" { & $cli --db $demo demo }
    Invoke-Checked "bdhvs.exe check báo lỗi trên phường mẫu" { & $cli --db $demo check }
} finally {
    $env:BDHVS_HOME = $savedHome; $env:QT_QPA_PLATFORM = $savedQpa
    if ($savedDb) { $env:BDHVS_DB = $savedDb }
    Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $checkHome
}

if ($SkipInstaller) { Write-Host "Bỏ qua bước dịch trình cài đặt (-SkipInstaller)."; exit 0 }

# --- 4. NSIS installer -----------------------------------------------------------------------
Step "makensis: dịch installer\bdhvs-desktop.nsi"
if (-not $Makensis) {
    $found = Get-Command makensis.exe -ErrorAction SilentlyContinue
    if ($found) { $Makensis = $found.Source }
    else {
        foreach ($dir in @(${env:ProgramFiles(x86)}, $env:ProgramFiles)) {
            if ($dir -and (Test-Path (Join-Path $dir "NSIS\makensis.exe"))) { $Makensis = Join-Path $dir "NSIS\makensis.exe"; break }
        }
    }
}
if (-not $Makensis -or -not (Test-Path $Makensis)) { Fail "không tìm thấy makensis.exe: cài NSIS 3 hoặc chỉ rõ bằng -Makensis <đường dẫn>." }
$setup = Join-Path $Root "dist\bdhvs-desktop-setup-$version.exe"
Invoke-Checked "makensis không dịch được installer\bdhvs-desktop.nsi" {
    & $Makensis -WX "-DVERSION=$version" "-DBUNDLE_DIR=$bundle" "-DOUTFILE=$setup" "installer\bdhvs-desktop.nsi"
}
$setupMb = [math]::Round((Get-Item $setup).Length / 1MB, 1)
Write-Host ""
Write-Host "Đã tạo $setup ($setupMb MB)." -ForegroundColor Green
Write-Host "Cài thử: chạy tệp đó (không cần quyền quản trị), hoặc cài im lặng: `"$setup`" /S"

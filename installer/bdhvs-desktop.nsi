; bdhvs-desktop — trình cài đặt cho Windows (NSIS 3, Unicode).
;
; Cài cho riêng người dùng đang đăng nhập, KHÔNG cần quyền quản trị:
;   chương trình vào %LOCALAPPDATA%\Programs\bdhvs-desktop, lối tắt vào menu Start,
;   gỡ cài đặt được đăng ký trong HKCU. Cài bản mới lên bản cũ = nâng cấp tại chỗ
;   (bản cũ được gỡ im lặng trước, rồi chép bản mới vào đúng thư mục đó).
;   Dữ liệu của người dùng (%LOCALAPPDATA%\bdhvs\bdhvs-desktop: cơ sở dữ liệu, bản sao lưu,
;   mẫu biểu đã sửa, nhật ký) KHÔNG BAO GIỜ bị xóa, kể cả khi gỡ cài đặt.
;
; Dịch (từ thư mục gốc của kho mã, sau khi PyInstaller đã tạo dist\bdhvs-desktop):
;   makensis -WX -DBUNDLE_DIR=dist\bdhvs-desktop -DOUTFILE=dist\bdhvs-desktop-setup-0.1.0.exe installer\bdhvs-desktop.nsi
; makensis chạy trong thư mục installer/ (nó tự chuyển vào thư mục của kịch bản), nên
; các đường dẫn tương đối dưới đây tính từ installer/. VERSION mặc định đọc từ bdhvs_desktop/__init__.py; BUNDLE_DIR và OUTFILE mặc định nằm
; trong dist/ của kho mã. installer/build_windows.ps1 làm tất cả các bước này.

; 64-bit installer for a 64-bit program: on 32-bit Windows it refuses to start instead of
; installing a program that cannot run. (Implies Unicode.)
Target amd64-unicode
ManifestDPIAware true
!ifdef NO_COMPRESSION
  ; CI's compile check (installer/build_linux_check.sh): the same script, minus two minutes of LZMA.
  SetCompress off
!else
  SetCompressor /SOLID lzma
!endif
RequestExecutionLevel user

!ifndef VERSION
  !searchparse /file "../bdhvs_desktop/__init__.py" `__version__ = "` VERSION `"`
!endif
!searchparse /noerrors "${VERSION}." "" VER_MAJOR "." VER_MINOR "." VER_PATCH "."
!ifndef VER_MINOR
  !define VER_MINOR 0
!endif
!ifndef VER_PATCH
  !define VER_PATCH 0
!endif

!define APP_ID "bdhvs-desktop"
!define APP_NAME "Bình dân học vụ số"
!define APP_EXE "bdhvs-desktop.exe"
!define CLI_EXE "bdhvs.exe"
!define PUBLISHER "bdhvs"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"
!define UNINSTALLER "Gỡ cài đặt.exe"
!define SHORTCUT "$SMPROGRAMS\${APP_NAME}.lnk"
; platformdirs.user_data_dir("bdhvs-desktop", "bdhvs", roaming=False) on Windows.
!define DATA_DIR "$LOCALAPPDATA\${PUBLISHER}\${APP_ID}"

!ifndef BUNDLE_DIR
  !define BUNDLE_DIR "../dist/${APP_ID}"
!endif
!ifndef OUTFILE
  !define OUTFILE "../dist/${APP_ID}-setup-${VERSION}.exe"
!endif

Name "${APP_NAME}"
Caption "${APP_NAME} ${VERSION} — Cài đặt"
UninstallCaption "${APP_NAME} — Gỡ cài đặt"
BrandingText "bdhvs-desktop ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APP_ID}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
ShowInstDetails show
ShowUninstDetails show

VIProductVersion "${VER_MAJOR}.${VER_MINOR}.${VER_PATCH}.0"
VIAddVersionKey /LANG=1066 "ProductName" "${APP_NAME} (bdhvs-desktop)"
VIAddVersionKey /LANG=1066 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1066 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1066 "FileDescription" "Trình cài đặt ${APP_NAME} ${VERSION}"
VIAddVersionKey /LANG=1066 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1066 "LegalCopyright" "Giấy phép MIT"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"

Var PreviousDir
Var PreviousVersion
Var UpgradeNote

!define MUI_ABORTWARNING
; resources/icons/build_icon.py draws it; the uninstaller uses the same file (NSIS needs the same sizes).
!define MUI_ICON "../resources/icons/bdhvs-desktop.ico"
!define MUI_UNICON "../resources/icons/bdhvs-desktop.ico"
!define MUI_WELCOMEPAGE_TITLE "Cài đặt ${APP_NAME} ${VERSION}"
!define MUI_WELCOMEPAGE_TEXT "Chương trình quản lý phong trào thi đua $\"Bình dân học vụ số$\" cấp phường.$\r$\n$\r$\nChương trình được cài cho riêng tài khoản Windows này, không cần quyền quản trị.$\r$\n$\r$\n$UpgradeNote$\r$\n$\r$\nBấm Tiến để tiếp tục."
!insertmacro MUI_PAGE_WELCOME
!define MUI_PAGE_CUSTOMFUNCTION_PRE SkipDirectoryOnUpgrade
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "Mở ${APP_NAME} ngay"
!insertmacro MUI_PAGE_FINISH

!define MUI_UNCONFIRMPAGE_TEXT_TOP "Chương trình sẽ được gỡ khỏi $INSTDIR.$\r$\nDữ liệu của bạn (cơ sở dữ liệu, bản sao lưu, mẫu biểu) trong ${DATA_DIR} được GIỮ LẠI; muốn xóa hẳn thì xóa thư mục đó bằng tay."
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "Vietnamese"

; Waits until neither program in `dir` is running: a running .exe cannot be opened for writing.
!macro WAIT_NOT_RUNNING dir
  ; Labels are local to the section that inserts this, so one name serves both sections.
  wnr_retry:
  ${If} ${FileExists} "${dir}\${APP_EXE}"
  ${OrIf} ${FileExists} "${dir}\${CLI_EXE}"
    ClearErrors
    ${If} ${FileExists} "${dir}\${APP_EXE}"
      FileOpen $0 "${dir}\${APP_EXE}" a
      ${IfNot} ${Errors}
        FileClose $0
      ${EndIf}
    ${EndIf}
    ${IfNot} ${Errors}
    ${AndIf} ${FileExists} "${dir}\${CLI_EXE}"
      FileOpen $0 "${dir}\${CLI_EXE}" a
      ${IfNot} ${Errors}
        FileClose $0
      ${EndIf}
    ${EndIf}
    ${If} ${Errors}
      MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "${APP_NAME} đang chạy (cửa sổ chương trình hoặc lệnh bdhvs).$\r$\nHãy đóng chương trình rồi bấm Thử lại." /SD IDCANCEL IDRETRY wnr_retry
      Abort "Chương trình đang chạy: chưa thay đổi gì."
    ${EndIf}
  ${EndIf}
!macroend

Function .onInit
  SetShellVarContext current
  ReadRegStr $PreviousDir HKCU "${UNINSTALL_KEY}" "InstallLocation"
  ReadRegStr $PreviousVersion HKCU "${UNINSTALL_KEY}" "DisplayVersion"
  ${If} $PreviousDir != ""
  ${AndIf} ${FileExists} "$PreviousDir\${APP_EXE}"
    StrCpy $INSTDIR $PreviousDir
    StrCpy $UpgradeNote "Máy này đang có phiên bản $PreviousVersion (trong $PreviousDir). Phiên bản đó sẽ được thay bằng phiên bản ${VERSION}; cơ sở dữ liệu, bản sao lưu và mẫu biểu của bạn được giữ nguyên."
  ${Else}
    StrCpy $PreviousDir ""
    StrCpy $UpgradeNote "Dữ liệu của bạn sẽ được lưu riêng trong ${DATA_DIR}, không bị xóa khi nâng cấp hay gỡ chương trình."
  ${EndIf}
FunctionEnd

Function SkipDirectoryOnUpgrade
  ; An upgrade goes where the previous version is.
  ${If} $PreviousDir != ""
    Abort
  ${EndIf}
FunctionEnd

Section "!${APP_NAME}" SecProgram
  SectionIn RO
  !insertmacro WAIT_NOT_RUNNING "$INSTDIR"
  ${If} $PreviousDir != ""
    DetailPrint "Gỡ phiên bản cũ $PreviousVersion (dữ liệu được giữ nguyên)…"
    ${If} ${FileExists} "$PreviousDir\${UNINSTALLER}"
      ; _?= runs the old uninstaller in place (no copy to %TEMP%) and waits for it.
      ExecWait '"$PreviousDir\${UNINSTALLER}" /S _?=$PreviousDir' $0
      Delete "$PreviousDir\${UNINSTALLER}"
    ${EndIf}
  ${EndIf}
  ; Files of an older version that the new one no longer has must not linger (e.g. a
  ; removed plan preset would still be offered): the program folder is replaced whole.
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${BUNDLE_DIR}/*.*"
  WriteUninstaller "$INSTDIR\${UNINSTALLER}"
  CreateShortcut "${SHORTCUT}" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0 SW_SHOWNORMAL "" "Quản lý phong trào thi đua Bình dân học vụ số"

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME} (bdhvs-desktop)"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${APP_EXE},0"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\${UNINSTALLER}"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" "$0"
  DetailPrint "Dữ liệu của bạn nằm trong ${DATA_DIR}."
SectionEnd

Function un.onInit
  SetShellVarContext current
FunctionEnd

Section "Uninstall"
  !insertmacro WAIT_NOT_RUNNING "$INSTDIR"
  Delete "${SHORTCUT}"
  ; Only what the installer put here: never RMDir /r $INSTDIR (it may be a folder the
  ; user chose that holds other files), and never the data folder.
  Delete "$INSTDIR\${APP_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${UNINSTALLER}"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DetailPrint "Đã gỡ chương trình. Dữ liệu của bạn vẫn còn trong ${DATA_DIR}."
SectionEnd

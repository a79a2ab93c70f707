; NSIS installer of the JE08 Configurator for 64-bit Windows (per-machine).
; Built by packaging/windows/build.sh (Linux, Debian's nsis) or the release
; workflow (Windows runner), with:
;   makensis -DVERSION=0.1.0 -DBINDIR=<dir with je08.exe, je08w.exe> -DOUTFILE=<setup.exe> je08.nsi
; Installs to Program Files, adds Start-menu shortcuts (the window through
; the console-less je08w.exe; a command prompt for the CLI), registers an
; uninstaller in "Apps & features" and removes everything it installed.

Unicode true
SetCompressor /SOLID lzma

!ifndef VERSION
  !error "pass -DVERSION=x.y.z"
!endif
!ifndef BINDIR
  !error "pass -DBINDIR=directory holding je08.exe and je08w.exe"
!endif
!ifndef CLIASSETS
  !error "pass -DCLIASSETS=directory holding man\ and completions\ (packaging/cli-assets.sh)"
!endif
!ifndef OUTFILE
  !define OUTFILE "je08-${VERSION}-x86_64-setup.exe"
!endif

!define NAME "JE08 Configurator"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\je08"
!define ICON "${__FILEDIR__}\..\..\assets\icon\je08.ico"

!include "MUI2.nsh"
!include "x64.nsh"

Name "${NAME}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${NAME}"
InstallDirRegKey HKLM "${UNINSTALL_KEY}" "InstallLocation"
RequestExecutionLevel admin
BrandingText "je08 ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${NAME}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${NAME} setup"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "je08 developers, MIT OR Apache-2.0"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_FINISHPAGE_RUN "$INSTDIR\je08w.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start the ${NAME}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "PortugueseBR"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${NAME} needs 64-bit Windows."
    Abort
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Section "Install"
  SetOutPath "$INSTDIR"
  File "${BINDIR}\je08.exe"
  File "${BINDIR}\je08w.exe"
  File "/oname=je08.ico" "${ICON}"
  SetOutPath "$INSTDIR\man"
  File "${CLIASSETS}\man\*.1"
  SetOutPath "$INSTDIR\completions"
  File "${CLIASSETS}\completions\_je08.ps1"
  SetOutPath "$INSTDIR"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateDirectory "$SMPROGRAMS\${NAME}"
  CreateShortCut "$SMPROGRAMS\${NAME}\${NAME}.lnk" "$INSTDIR\je08w.exe" "" "$INSTDIR\je08.ico" 0
  CreateShortCut "$SMPROGRAMS\${NAME}\JE08 command prompt.lnk" "$SYSDIR\cmd.exe" \
    '/k "set PATH=$INSTDIR;%PATH%&& je08 --help"' "$INSTDIR\je08.ico" 0
  CreateShortCut "$SMPROGRAMS\${NAME}\Uninstall ${NAME}.lnk" "$INSTDIR\uninstall.exe"

  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${NAME}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "je08 developers"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\je08.ico"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  Delete "$SMPROGRAMS\${NAME}\${NAME}.lnk"
  Delete "$SMPROGRAMS\${NAME}\JE08 command prompt.lnk"
  Delete "$SMPROGRAMS\${NAME}\Uninstall ${NAME}.lnk"
  RMDir "$SMPROGRAMS\${NAME}"
  Delete "$INSTDIR\je08.exe"
  Delete "$INSTDIR\je08w.exe"
  Delete "$INSTDIR\je08.ico"
  Delete "$INSTDIR\man\*.1"
  RMDir "$INSTDIR\man"
  Delete "$INSTDIR\completions\_je08.ps1"
  RMDir "$INSTDIR\completions"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
SectionEnd

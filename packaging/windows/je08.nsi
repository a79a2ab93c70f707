; NSIS installer of the JE08 Configurator for 64-bit Windows.
; Built by packaging/windows/build.sh (Linux, Debian's nsis) or the release
; workflow (Windows runner), with:
;   makensis -DVERSION=0.1.0 -DBINDIR=<dir with je08.exe, je08w.exe> -DOUTFILE=<setup.exe> je08.nsi
;
; Per-user (no administrator rights, %LOCALAPPDATA%\Programs) or all users
; (administrator, Program Files): asked on the first page, or on the command
; line with /CurrentUser or /AllUsers (silent: /S). Start-menu shortcuts (the
; window through the console-less je08w.exe; a command prompt for the CLI),
; the third-party notices and licences, an uninstaller in "Apps & features".
; All users: Windows Firewall rules for je08.exe on private networks (mDNS,
; UDP 5353; the espota call-back, TCP). Optional (/ADDTOPATH, or the
; "command line on PATH" component): the install folder on the user's or the
; machine's PATH. The uninstaller removes every file, shortcut, registry
; value, PATH entry and firewall rule it created.

; A 64-bit installer (je08 is x64 only): no 32-bit layer needed, which also
; lets a 64-bit-only Wine run it (wine-smoke.sh).
Target amd64-unicode
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
!define ROOT "${__FILEDIR__}\..\.."
!define ICON "${ROOT}\assets\icon\je08.ico"
!define FW_MDNS "JE08 Configurator (mDNS)"
!define FW_OTA "JE08 Configurator (espota call-back)"

; MultiUser: per-user without elevation, all users with it.
!define MULTIUSER_EXECUTIONLEVEL Highest
!define MULTIUSER_MUI
!define MULTIUSER_INSTALLMODE_COMMANDLINE
!define MULTIUSER_USE_PROGRAMFILES64
!define MULTIUSER_INSTALLMODE_INSTDIR "${NAME}"
!define MULTIUSER_INSTALLMODE_INSTALL_REGISTRY_KEY "Software\je08"
!define MULTIUSER_INSTALLMODE_INSTALL_REGISTRY_VALUENAME "InstallLocation"
!define MULTIUSER_INSTALLMODE_UNINSTALL_REGISTRY_KEY "je08"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_KEY "Software\je08"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_VALUENAME "InstallMode"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\je08"

!include "MultiUser.nsh"
!include "MUI2.nsh"
!include "x64.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "WordFunc.nsh"
!include "WinMessages.nsh"

Name "${NAME}"
OutFile "${OUTFILE}"
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
!insertmacro MULTIUSER_PAGE_INSTALLMODE
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "PortugueseBR"

; The PATH this installer edits: the user's (per-user) or the machine's.
Var PathRoot

Section "!${NAME}" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  File "${BINDIR}\je08.exe"
  File "${BINDIR}\je08w.exe"
  File "/oname=je08.ico" "${ICON}"
  SetOutPath "$INSTDIR\man"
  File "${CLIASSETS}\man\*.1"
  SetOutPath "$INSTDIR\completions"
  File "${CLIASSETS}\completions\_je08.ps1"
  SetOutPath "$INSTDIR"
  File "/oname=THIRD-PARTY-NOTICES.txt" "${ROOT}\assets\licenses\THIRD-PARTY-NOTICES.txt"
  File "/oname=LICENSE-MIT.txt" "${ROOT}\LICENSE-MIT"
  File "/oname=LICENSE-APACHE.txt" "${ROOT}\LICENSE-APACHE"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateDirectory "$SMPROGRAMS\${NAME}"
  CreateShortCut "$SMPROGRAMS\${NAME}\${NAME}.lnk" "$INSTDIR\je08w.exe" "" "$INSTDIR\je08.ico" 0
  CreateShortCut "$SMPROGRAMS\${NAME}\JE08 command prompt.lnk" "$SYSDIR\cmd.exe" \
    '/k "set PATH=$INSTDIR;%PATH%&& je08 --help"' "$INSTDIR\je08.ico" 0
  CreateShortCut "$SMPROGRAMS\${NAME}\Uninstall ${NAME}.lnk" "$INSTDIR\uninstall.exe"

  ; SHCTX: HKCU per-user, HKLM for all users (set by MultiUser).
  WriteRegStr SHCTX "Software\je08" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "Software\je08" "InstallMode" "$MultiUser.InstallMode"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayName" "${NAME}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "Publisher" "je08 developers"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\je08.ico"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode'
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode /S'
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "NoRepair" 1

  ; Firewall rules need administrator rights: all-users installs only. A
  ; per-user install gets Windows' own "allow access" prompt on first use.
  ${If} $MultiUser.InstallMode == "AllUsers"
    nsExec::ExecToLog 'netsh advfirewall firewall add rule name="${FW_MDNS}" dir=in action=allow program="$INSTDIR\je08.exe" protocol=UDP localport=5353 profile=private enable=yes'
    Pop $0
    nsExec::ExecToLog 'netsh advfirewall firewall add rule name="${FW_OTA}" dir=in action=allow program="$INSTDIR\je08.exe" protocol=TCP profile=private enable=yes'
    Pop $1
    ${If} $0 != 0
    ${OrIf} $1 != 0
      DetailPrint "Windows Firewall rules could not be added (netsh: $0, $1); Windows will ask on first use."
    ${Else}
      WriteRegDWORD SHCTX "Software\je08" "FirewallRules" 1
    ${EndIf}
  ${EndIf}
SectionEnd

Section /o "Command line on PATH (je08 in any terminal)" SecPath
  ${If} $MultiUser.InstallMode == "AllUsers"
    StrCpy $PathRoot "HKLM"
    ReadRegStr $0 HKLM "SYSTEM\CurrentControlSet\Control\Session Manager\Environment" "Path"
  ${Else}
    StrCpy $PathRoot "HKCU"
    ReadRegStr $0 HKCU "Environment" "Path"
  ${EndIf}
  ; NSIS strings hold 1024 characters: a longer PATH is left untouched
  ; rather than cut short.
  StrLen $1 $0
  ${If} $1 > 900
    DetailPrint "PATH is too long to be edited safely; add $INSTDIR to it by hand."
    Return
  ${EndIf}
  ClearErrors
  ${WordFind} "$0" "$INSTDIR" "E+1{" $2
  ${If} ${Errors}
    ${If} $0 == ""
      StrCpy $0 "$INSTDIR"
    ${Else}
      StrCpy $0 "$0;$INSTDIR"
    ${EndIf}
    ${If} $PathRoot == "HKLM"
      WriteRegExpandStr HKLM "SYSTEM\CurrentControlSet\Control\Session Manager\Environment" "Path" "$0"
    ${Else}
      WriteRegExpandStr HKCU "Environment" "Path" "$0"
    ${EndIf}
    WriteRegDWORD SHCTX "Software\je08" "OnPath" 1
    SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=2000
  ${EndIf}
SectionEnd

LangString DESC_SecMain ${LANG_ENGLISH} "The configurator window, the je08 command line, shortcuts and licences."
LangString DESC_SecMain ${LANG_PORTUGUESEBR} "A janela do configurador, a linha de comando je08, atalhos e licenças."
LangString DESC_SecPath ${LANG_ENGLISH} "Add the install folder to PATH so that je08 runs from any cmd or PowerShell window."
LangString DESC_SecPath ${LANG_PORTUGUESEBR} "Adicionar a pasta de instalação ao PATH para que je08 rode em qualquer janela do cmd ou PowerShell."
!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecMain} $(DESC_SecMain)
  !insertmacro MUI_DESCRIPTION_TEXT ${SecPath} $(DESC_SecPath)
!insertmacro MUI_FUNCTION_DESCRIPTION_END

Section "Uninstall"
  ReadRegDWORD $0 SHCTX "Software\je08" "FirewallRules"
  ${If} $0 == 1
    nsExec::ExecToLog 'netsh advfirewall firewall delete rule name="${FW_MDNS}"'
    Pop $1
    nsExec::ExecToLog 'netsh advfirewall firewall delete rule name="${FW_OTA}"'
    Pop $1
  ${EndIf}
  ReadRegDWORD $0 SHCTX "Software\je08" "OnPath"
  ${If} $0 == 1
    ${If} $MultiUser.InstallMode == "AllUsers"
      ReadRegStr $1 HKLM "SYSTEM\CurrentControlSet\Control\Session Manager\Environment" "Path"
    ${Else}
      ReadRegStr $1 HKCU "Environment" "Path"
    ${EndIf}
    ; The folder as written at install time (the uninstaller may have been
    ; started through another spelling of its path).
    ReadRegStr $3 SHCTX "Software\je08" "InstallLocation"
    ${un.WordReplace} "$1" ";$3" "" "+" $2
    ${un.WordReplace} "$2" "$3" "" "+" $2
    ${If} $MultiUser.InstallMode == "AllUsers"
      WriteRegExpandStr HKLM "SYSTEM\CurrentControlSet\Control\Session Manager\Environment" "Path" "$2"
    ${ElseIf} $2 == ""
      DeleteRegValue HKCU "Environment" "Path"
    ${Else}
      WriteRegExpandStr HKCU "Environment" "Path" "$2"
    ${EndIf}
    SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=2000
  ${EndIf}

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
  Delete "$INSTDIR\THIRD-PARTY-NOTICES.txt"
  Delete "$INSTDIR\LICENSE-MIT.txt"
  Delete "$INSTDIR\LICENSE-APACHE.txt"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey SHCTX "${UNINSTALL_KEY}"
  DeleteRegKey SHCTX "Software\je08"
SectionEnd

; After the sections: .onInit selects ${SecPath} by its index.
Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${NAME} needs 64-bit Windows."
    Abort
  ${EndIf}
  SetRegView 64
  !insertmacro MULTIUSER_INIT
  ; /ADDTOPATH on the command line selects the PATH component (silent installs).
  ${GetParameters} $0
  ClearErrors
  ${GetOptions} $0 "/ADDTOPATH" $1
  ${IfNot} ${Errors}
    SectionSetFlags ${SecPath} ${SF_SELECTED}
  ${EndIf}
FunctionEnd

Function un.onInit
  SetRegView 64
  !insertmacro MULTIUSER_UNINIT
FunctionEnd

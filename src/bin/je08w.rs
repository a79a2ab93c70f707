//! `je08w`: the launcher of the configurator window for Windows shortcuts.
//!
//! `je08.exe` is a console program, so that every command behaves as a
//! command should in cmd, PowerShell and scripts: the shell waits for it, its
//! output appears in the console and `%ERRORLEVEL%`/`$LASTEXITCODE` hold its
//! exit status. Started from the Start menu a console program opens a console
//! window beside the GUI; a GUI-subsystem program does not. So `je08w.exe` is
//! built for the Windows GUI subsystem (no console), starts the `je08`
//! executable next to it without a console window (`CREATE_NO_WINDOW`),
//! passes its own arguments on and, if `je08` fails, shows the end of its
//! error output in a message box (elsewhere: on stderr) and exits with its
//! status. The same split as `pythonw.exe`/`python.exe` or `javaw`/`java`.
#![cfg_attr(windows, windows_subsystem = "windows")]

use std::process::{Command, ExitCode, Stdio};

/// How much of `je08`'s error output is kept for the message (its end).
const ERROR_TAIL_BYTES: usize = 4096;

fn main() -> ExitCode {
    let je08 = match std::env::current_exe() {
        Ok(me) => me.with_file_name(format!("je08{}", std::env::consts::EXE_SUFFIX)),
        Err(err) => return fail(&format!("cannot find the je08 program: {err}")),
    };
    let mut command = Command::new(&je08);
    command
        .args(std::env::args_os().skip(1))
        .stdin(Stdio::null())
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped());
    no_console_window(&mut command);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(err) => {
            return fail(&format!(
                "cannot start {}: {err}; reinstall the JE08 Configurator",
                je08.display()
            ));
        }
    };
    let tail = child.stderr.take().map(read_tail).unwrap_or_default();
    match child.wait() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => {
            let text = String::from_utf8_lossy(&tail);
            let text = if text.trim().is_empty() {
                format!("je08 stopped with {status}")
            } else {
                text.into_owned()
            };
            show_error(&text);
            // Exit statuses of CLI programs fit in a byte; keep them.
            let code = status.code().and_then(|c| u8::try_from(c).ok()).unwrap_or(1);
            ExitCode::from(code)
        }
        Err(err) => fail(&format!("lost track of je08: {err}")),
    }
}

/// Read a stream to its end keeping only its last `ERROR_TAIL_BYTES` bytes
/// (the window may run for hours; memory stays bounded).
fn read_tail(mut stream: impl std::io::Read) -> Vec<u8> {
    let mut tail = Vec::with_capacity(ERROR_TAIL_BYTES);
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                tail.extend_from_slice(&buf[..n]);
                if tail.len() > ERROR_TAIL_BYTES {
                    tail.drain(..tail.len() - ERROR_TAIL_BYTES);
                }
            }
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    tail
}

/// Report a launcher failure and exit with status 1.
fn fail(message: &str) -> ExitCode {
    show_error(message);
    ExitCode::FAILURE
}

/// Start the child without a console window (Windows only).
#[cfg(windows)]
fn no_console_window(command: &mut Command) {
    use std::os::windows::process::CommandExt as _;
    /// `CREATE_NO_WINDOW` process creation flag (winbase.h).
    const CREATE_NO_WINDOW: u32 = 0x0800_0000;
    command.creation_flags(CREATE_NO_WINDOW);
}

/// Start the child as is (no console windows to avoid off Windows).
#[cfg(not(windows))]
fn no_console_window(_command: &mut Command) {}

/// Show an error in a message box: a GUI-subsystem program has no console.
#[cfg(windows)]
fn show_error(message: &str) {
    use std::os::windows::ffi::OsStrExt as _;
    #[link(name = "user32")]
    unsafe extern "system" {
        fn MessageBoxW(hwnd: *mut std::ffi::c_void, text: *const u16, caption: *const u16, kind: u32) -> i32;
    }
    /// `MB_OK | MB_ICONERROR` (winuser.h).
    const MB_ICONERROR: u32 = 0x10;
    let wide = |s: &str| -> Vec<u16> { std::ffi::OsStr::new(s).encode_wide().chain([0]).collect() };
    let (text, caption) = (wide(message), wide("JE08 Configurator"));
    // SAFETY: both strings are NUL-terminated UTF-16 buffers alive for the
    // call; a null owner window is allowed.
    unsafe {
        MessageBoxW(
            std::ptr::null_mut(),
            text.as_ptr(),
            caption.as_ptr(),
            MB_ICONERROR,
        );
    }
}

/// Print an error on stderr (off Windows there is a terminal or a log).
#[cfg(not(windows))]
fn show_error(message: &str) {
    eprint!("{message}");
    if !message.ends_with('\n') {
        eprintln!();
    }
}

//! Field support built into the program: a log file per run in the OS's
//! log folder (`log_file`), crash reports written by a panic hook
//! (`crash`), what the About window and the diagnostics say about this
//! build (`build_info`), and the diagnostics zip sent to support
//! (`diagnostics`, with `redact` removing secrets). Used by the command
//! line (`cli`) and the window (`ui`, `backend`); it uses none of them.

pub mod build_info;
pub mod crash;
pub mod diagnostics;
pub mod folders;
pub mod log_file;
pub mod redact;

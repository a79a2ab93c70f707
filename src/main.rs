//! The `je08` binary: see `je08 --help`.

fn main() -> std::process::ExitCode {
    je08::cli::main()
}

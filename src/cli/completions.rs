//! `je08 completions SHELL` (a completion script on stdout, by
//! clap_complete) and the hidden `je08 manpages DIR` (one roff page per
//! command, by clap_mangen), which the packaging scripts run to ship them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::CommandFactory as _;
use clap_complete::Shell;

use je08_client::store::atomic::write_atomically;

use super::Cli;

/// Options of `je08 completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell the script is for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Options of `je08 manpages`.
#[derive(Debug, clap::Args)]
pub struct ManpagesArgs {
    /// The folder to write `je08.1`, `je08-read.1`, … into (created if missing).
    pub dir: PathBuf,
}

/// Print the completion script of `args.shell`.
pub fn run_completions(args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "je08", &mut script);
    out!("{}", String::from_utf8_lossy(&script))?;
    Ok(ExitCode::SUCCESS)
}

/// Write every man page into `args.dir` (each file atomically) and list them.
pub fn run_manpages(args: &ManpagesArgs) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&args.dir).with_context(|| format!("cannot create {}", args.dir.display()))?;
    let mut command = Cli::command();
    command.build();
    let mut written = Vec::new();
    write_pages(&command, "je08", &args.dir, &mut written)?;
    for path in written {
        outln!("{}", path.display())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// What clap does not know, added to `je08.1`: the environment the program
/// reads and where the licences are installed.
const TOP_PAGE_SECTIONS: &str = r#".SH ENVIRONMENT
.TP
.B JE08_PASSWORD
the meters' interface password (otherwise asked).
.TP
.B JE08_RENDERER
.B wgpu
or
.BR glow :
the renderer of the window.
.TP
.B JE08_DATA_DIR
the folder of the activity journal and the saved settings (otherwise the
per-user data folder).
.TP
.B JE08_LOG
log filter for stderr, e.g.
.BR info ;
when given, the run's log file uses it too (otherwise
.BR info ).
.TP
.B JE08_LOG_DIR
the folder of the log files (one per run, pruned) and crash reports
(otherwise ~/.local/state/je08/logs).
.SH FILES
.TP
.I ~/.local/state/je08/logs/
log files and crash reports;
.B je08 diagnostics FILE.zip
puts them, with the versions, settings and meters list (no secrets), in one zip for support.
.TP
.I /usr/share/doc/je08/THIRD-PARTY-NOTICES.txt
the licences of the software je08 contains.
.SH SEE ALSO
/usr/share/doc/je08/README.md
"#;

/// The page of `command` (named `name`) and of each visible subcommand.
fn write_pages(
    command: &clap::Command,
    name: &str,
    dir: &Path,
    written: &mut Vec<PathBuf>,
) -> anyhow::Result<()> {
    let command = command
        .clone()
        .name(name.to_owned())
        .bin_name(name.replace('-', " "));
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone())
        .title(name.to_uppercase())
        .render(&mut page)
        .with_context(|| format!("cannot render the man page of {name}"))?;
    if name == "je08" {
        page.extend_from_slice(TOP_PAGE_SECTIONS.as_bytes());
    }
    let path = dir.join(format!("{name}.1"));
    write_atomically(&path, &page).with_context(|| format!("cannot write {}", path.display()))?;
    written.push(path);
    for sub in command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        write_pages(sub, &format!("{name}-{}", sub.get_name()), dir, written)?;
    }
    Ok(())
}

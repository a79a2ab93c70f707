//! The Help menu (About, Save diagnostics…), the About window (version,
//! commit, build date, system, renderer, where the logs are, licences) and
//! the support notices under the top bar.

use std::sync::LazyLock;

use eframe::egui;

use crate::i18n::{Msg, Tr};
use crate::state::intent::{Action, SupportIntent};
use crate::state::support::SupportState;
use crate::support::{build_info, folders};

/// The third-party notices shipped with every package (cargo about).
const NOTICES: &str = include_str!("../../assets/licenses/THIRD-PARTY-NOTICES.txt");

/// The notices' lines, split once: the About window draws only those in view.
static NOTICE_LINES: LazyLock<Vec<&'static str>> = LazyLock::new(|| NOTICES.lines().collect());

/// The Help menu of the top bar.
pub fn help_menu_ui(ui: &mut egui::Ui, tr: Tr, support: &SupportState, actions: &mut Vec<Action>) {
    ui.menu_button(tr.t(Msg::Help), |ui| {
        if ui.button(tr.t(Msg::About)).clicked() {
            actions.push(Action::Support(SupportIntent::About(true)));
        }
        let save = ui.add_enabled(!support.saving, egui::Button::new(tr.t(Msg::SaveDiagnostics)));
        if save.clicked() {
            actions.push(Action::Support(SupportIntent::SaveDiagnostics(None)));
        }
    });
}

/// The support notices under the top bar: diagnostics saving or saved
/// (or why not), the last run's crash report, a log folder not shown.
pub fn notices_ui(ui: &mut egui::Ui, tr: Tr, support: &SupportState, actions: &mut Vec<Action>) {
    let mut lines = Vec::new();
    if let Some(path) = &support.last_crash {
        lines.push((true, tr.f(Msg::CrashLastTime, &[&path.display().to_string()])));
    }
    if support.saving {
        lines.push((false, tr.t(Msg::DiagnosticsSaving).to_owned()));
    }
    match &support.saved {
        Some(Ok(path)) => lines.push((false, tr.f(Msg::DiagnosticsSaved, &[&path.display().to_string()]))),
        Some(Err(why)) => lines.push((true, tr.f(Msg::DiagnosticsFailed, &[why]))),
        None => {}
    }
    if let Some(why) = &support.folder_failure {
        lines.push((true, why.clone()));
    }
    if lines.is_empty() {
        return;
    }
    ui.separator();
    ui.horizontal(|ui| {
        ui.vertical(|ui| {
            for (warn, line) in lines {
                match warn {
                    true => ui.colored_label(ui.visuals().warn_fg_color, line),
                    false => ui.label(line),
                };
            }
        });
        if !support.saving && ui.button(tr.t(Msg::Close)).clicked() {
            actions.push(Action::Support(SupportIntent::DismissNotices));
        }
    });
}

/// The About window.
pub fn about_ui(ctx: &egui::Context, tr: Tr, actions: &mut Vec<Action>) {
    let mut open = true;
    egui::Window::new(tr.t(Msg::About))
        .open(&mut open)
        .default_width(640.0)
        .default_height(560.0)
        .show(ctx, |ui| {
            ui.heading(tr.t(Msg::AppTitle));
            let os = build_info::os_known().unwrap_or(std::env::consts::OS);
            let renderer = build_info::renderer().unwrap_or("—");
            let log_dir = folders::log_dir().map(|d| d.display().to_string());
            egui::Grid::new("about_facts").num_columns(2).show(ui, |ui| {
                for (label, value) in [
                    (Msg::AboutVersion, build_info::VERSION),
                    (Msg::AboutCommit, build_info::COMMIT),
                    (Msg::AboutBuilt, build_info::BUILD_DATE),
                    (Msg::AboutOs, os),
                    (Msg::AboutRenderer, renderer),
                ] {
                    let name = ui.label(tr.t(label));
                    ui.label(value).labelled_by(name.id);
                    ui.end_row();
                }
                ui.label(format!("egui {} · eframe", build_info::EGUI_VERSION));
                ui.label(build_info::EFRAME_VERSION);
                ui.end_row();
                let name = ui.label(tr.t(Msg::AboutLogFolder));
                ui.horizontal(|ui| {
                    ui.label(log_dir.as_deref().unwrap_or("—")).labelled_by(name.id);
                    if ui.button(tr.t(Msg::OpenLogFolder)).clicked() {
                        actions.push(Action::Support(SupportIntent::OpenLogFolder));
                    }
                });
                ui.end_row();
            });
            ui.separator();
            ui.label(tr.t(Msg::AboutLicence));
            let row = ui.text_style_height(&egui::TextStyle::Monospace);
            egui::ScrollArea::both()
                .auto_shrink([false, false])
                .max_height(ui.available_height().max(120.0))
                .show_rows(ui, row, NOTICE_LINES.len(), |ui, rows| {
                    for line in &NOTICE_LINES[rows] {
                        ui.add(egui::Label::new(egui::RichText::new(*line).monospace()).extend());
                    }
                });
        });
    if !open {
        actions.push(Action::Support(SupportIntent::About(false)));
    }
}

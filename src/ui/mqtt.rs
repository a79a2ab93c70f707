//! The MQTT view: connect to a broker (URL, TLS files, credentials), list
//! every meter the broker carries with its freshness, send commands.

use eframe::egui::{self, RichText};

use super::app::Action;
use super::i18n::{Msg, Tr};
use crate::backend::secrets::Storage;

/// State of the MQTT view.
#[derive(Debug, Clone, Default)]
pub struct MqttState {
    /// Broker URL.
    pub url: String,
    /// User name.
    pub username: String,
    /// Password (never persisted outside the keychain).
    pub password: String,
    /// Keep the password in the OS keychain.
    pub remember: bool,
    /// Where the password is kept, as last reported.
    pub storage: Option<Storage>,
}

impl MqttState {
    /// Start with the last broker URL.
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_string(),
            ..Self::default()
        }
    }

    /// The keychain account for this broker's password.
    pub fn account(&self) -> String {
        format!("broker:{}:{}", self.url, self.username)
    }

    /// A secret lookup or store finished.
    pub fn secret_event(&mut self, account: &str, secret: Option<String>, storage: Storage) {
        if account != self.account() {
            return;
        }
        if let Some(secret) = secret {
            self.password = secret;
        }
        self.storage = Some(storage);
    }
}

/// Draw the MQTT view.
pub fn mqtt_ui(ui: &mut egui::Ui, tr: Tr, state: &mut MqttState, actions: &mut Vec<Action>) {
    ui.heading(tr.t(Msg::MqttView));
    egui::Grid::new("broker")
        .num_columns(2)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            ui.label(tr.t(Msg::BrokerUrl));
            ui.add(egui::TextEdit::singleline(&mut state.url).desired_width(320.0));
            ui.end_row();
            ui.label(tr.t(Msg::Username));
            ui.add(egui::TextEdit::singleline(&mut state.username).desired_width(200.0));
            ui.end_row();
            ui.label(tr.t(Msg::Password));
            ui.add(
                egui::TextEdit::singleline(&mut state.password)
                    .password(true)
                    .desired_width(200.0),
            );
            ui.end_row();
            ui.label("");
            ui.checkbox(&mut state.remember, tr.t(Msg::RememberInKeychain));
            ui.end_row();
        });
    match &state.storage {
        Some(Storage::NoKeychain(why)) => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("{} ({why})", tr.t(Msg::NoKeychain)),
            );
        }
        Some(Storage::Keychain) => {
            ui.weak(tr.t(Msg::StoredInKeychain));
        }
        _ => {}
    }
    ui.horizontal(|ui| {
        if ui.button(RichText::new(tr.t(Msg::Connect)).size(15.0)).clicked() && !state.password.is_empty() {
            actions.push(Action::Send(crate::backend::Command::StoreSecret {
                account: state.account(),
                secret: state.password.clone(),
                remember: state.remember,
            }));
        }
    });
    ui.weak(tr.t(Msg::NeedsMqttClient));
}

//! Editable forms for the meter's connectivity, protocols and CT blocks
//! (spec §4). Numbers are typed as text and checked as they are typed; the
//! whole block is then checked with the protocol's own `validate()`, so an
//! invalid form cannot be saved. Passwords start empty: empty keeps the
//! meter's password (`null` in the PUT), anything typed replaces it; the
//! meter never gives a password back.

use eframe::egui;

use crate::i18n::Describe;
use crate::i18n::{Msg, Tr};
use crate::state::config_forms::{ConnectivityForm, CtForm, ProtocolsForm};
use je08_protocol::http_api::{FieldErrors, WifiMode};

/// The translated problem of `field`, if it is refused.
fn error_for(tr: Tr, errors: Option<&FieldErrors>, field: &str) -> Option<String> {
    errors?.for_field(field).map(|p| p.describe(tr))
}

/// A labelled text field with its error underneath.
fn text_row(
    ui: &mut egui::Ui,
    label: &str,
    text: &mut String,
    error: Option<String>,
    password: bool,
    hint: Option<&str>,
) {
    let name = ui.label(label);
    ui.vertical(|ui| {
        let mut edit = egui::TextEdit::singleline(text)
            .desired_width(260.0)
            .password(password);
        if let Some(hint) = hint {
            edit = edit.hint_text(hint);
        }
        if error.is_some() {
            edit = edit.text_color(ui.visuals().error_fg_color);
        }
        ui.add(edit).labelled_by(name.id);
        if let Some(err) = error {
            ui.colored_label(ui.visuals().error_fg_color, err);
        }
    });
    ui.end_row();
}

fn check_row(ui: &mut egui::Ui, label: &str, value: &mut bool) {
    ui.label("");
    ui.checkbox(value, label);
    ui.end_row();
}

/// Draw the CT form.
pub fn ct_form_ui(ui: &mut egui::Ui, tr: Tr, form: &mut CtForm, errors: Option<&FieldErrors>) {
    egui::Grid::new("cfg_ct")
        .num_columns(2)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            text_row(
                ui,
                tr.t(Msg::CfgCtRatio),
                &mut form.ratio,
                error_for(tr, errors, "ratio"),
                false,
                None,
            );
            for (k, phase) in ["A", "B", "C"].into_iter().enumerate() {
                check_row(ui, &tr.f(Msg::CfgInvertPhase, &[phase]), &mut form.invert[k]);
            }
        });
}

/// Draw the protocols form.
pub fn protocols_form_ui(ui: &mut egui::Ui, tr: Tr, form: &mut ProtocolsForm, errors: Option<&FieldErrors>) {
    let keep = tr.t(Msg::CfgKeepPassword);
    egui::Grid::new("cfg_protocols")
        .num_columns(2)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            check_row(ui, tr.t(Msg::CfgModbusEnabled), &mut form.base.modbus.enabled);
            text_row(
                ui,
                tr.t(Msg::CfgModbusPort),
                &mut form.modbus_port,
                error_for(tr, errors, "modbus.port"),
                false,
                None,
            );
            let m = &mut form.base.mqtt;
            check_row(ui, tr.t(Msg::CfgMqttEnabled), &mut m.enabled);
            for (label, field, text) in [
                (Msg::CfgMqttHost, "mqtt.host", &mut m.host),
                (Msg::CfgMqttClientId, "mqtt.client_id", &mut m.client_id),
                (Msg::CfgMqttUser, "mqtt.username", &mut m.username),
                (Msg::CfgPublishTopic, "mqtt.publish_topic", &mut m.publish_topic),
                (
                    Msg::CfgSubscribeTopic,
                    "mqtt.subscribe_topic",
                    &mut m.subscribe_topic,
                ),
            ] {
                text_row(ui, tr.t(label), text, error_for(tr, errors, field), false, None);
            }
            text_row(
                ui,
                tr.t(Msg::CfgMqttPort),
                &mut form.mqtt_port,
                error_for(tr, errors, "mqtt.port"),
                false,
                None,
            );
            text_row(
                ui,
                tr.t(Msg::CfgMqttPassword),
                &mut form.mqtt_password.0,
                error_for(tr, errors, "mqtt.password"),
                true,
                Some(keep),
            );
            text_row(
                ui,
                tr.t(Msg::CfgInterval),
                &mut form.interval_s,
                error_for(tr, errors, "mqtt.interval_s"),
                false,
                None,
            );
            let tls = &mut form.base.mqtt.tls;
            check_row(ui, tr.t(Msg::CfgTls), &mut tls.enabled);
            check_row(ui, tr.t(Msg::CfgTlsVerify), &mut tls.verify_server);
            check_row(ui, tr.t(Msg::CfgTlsClientAuth), &mut tls.client_auth);
            if let Some(err) = error_for(tr, errors, "mqtt.tls.client_auth") {
                ui.label("");
                ui.colored_label(ui.visuals().error_fg_color, err);
                ui.end_row();
            }
            check_row(ui, tr.t(Msg::CfgDs18b20), &mut form.base.ds18b20.enabled);
        });
}

/// Draw the connectivity form.
pub fn connectivity_form_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    form: &mut ConnectivityForm,
    errors: Option<&FieldErrors>,
) {
    let keep = tr.t(Msg::CfgKeepPassword);
    egui::Grid::new("cfg_connectivity")
        .num_columns(2)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            let b = &mut form.base;
            ui.label(tr.t(Msg::WifiMode));
            ui.horizontal(|ui| {
                ui.radio_value(&mut b.wifi_mode, WifiMode::St, tr.t(Msg::WifiStation));
                ui.radio_value(&mut b.wifi_mode, WifiMode::Ap, tr.t(Msg::WifiAccessPoint));
            });
            ui.end_row();
            text_row(
                ui,
                tr.t(Msg::CfgSsid),
                &mut b.ssid,
                error_for(tr, errors, "ssid"),
                false,
                None,
            );
            check_row(ui, tr.t(Msg::CfgDhcp), &mut b.dhcp);
            if let Some(err) = error_for(tr, errors, "dhcp") {
                ui.label("");
                ui.colored_label(ui.visuals().error_fg_color, err);
                ui.end_row();
            }
            for (label, field, text) in [
                (Msg::CfgIp, "ip", &mut b.ip),
                (Msg::CfgNetmask, "netmask", &mut b.netmask),
                (Msg::CfgGateway, "gateway", &mut b.gateway),
                (Msg::CfgDns, "dns", &mut b.dns),
                (Msg::CfgDeviceName, "device_name", &mut b.device_name),
            ] {
                text_row(ui, tr.t(label), text, error_for(tr, errors, field), false, None);
            }
            text_row(
                ui,
                tr.t(Msg::CfgWifiPassword),
                &mut form.wifi_password.0,
                error_for(tr, errors, "password"),
                true,
                Some(keep),
            );
            text_row(
                ui,
                tr.t(Msg::CfgNewInterfacePassword),
                &mut form.interface_password.0,
                error_for(tr, errors, "interface_password"),
                true,
                Some(keep),
            );
        });
}

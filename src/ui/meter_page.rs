//! The selected meter: a header and one tab each for live readings,
//! parameters, configuration, firmware and diagnostics.

use eframe::egui::{self, RichText};

use super::{
    calibration_ui, configuration, diagnostics, firmware, live, parameters, recording_ui, registers_ui,
    widgets, wiring_ui,
};
use crate::i18n::{Msg, Tr};
use crate::state::intent::Action;
use crate::state::model::{MeterRow, Model};
use crate::state::navigation::Tab;
use crate::state::view::ViewState;

/// Draw the meter page.
pub fn meter_page_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    meter: &MeterRow,
    model: &Model,
    view: &mut ViewState,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        ui.heading(RichText::new(meter.title()).size(22.0).strong());
        ui.monospace(&meter.address);
        if meter.session {
            widgets::link_badge_ui(ui, tr, meter);
        } else {
            ui.weak(tr.t(Msg::NoSession));
        }
        if let Some(id) = meter.device_id {
            ui.label(tr.f(Msg::DeviceIdIs, &[&id.to_string()]));
        }
    });
    if !meter.session {
        ui.weak(tr.t(Msg::NoModbusHint));
    } else {
        match widgets::offline(tr, meter) {
            Some(widgets::Offline::Paused(why)) => {
                ui.label(why);
            }
            Some(widgets::Offline::Failed(why)) => {
                ui.colored_label(ui.visuals().error_fg_color, why);
            }
            None => {}
        }
    }
    ui.add_space(4.0);
    ui.horizontal_wrapped(|ui| {
        for tab in Tab::ALL {
            let text = RichText::new(tr.t(tab.msg())).size(15.0);
            if ui.selectable_label(view.tab == tab, text).clicked() {
                actions.push(Action::Tab(tab));
            }
        }
    });
    ui.separator();
    match view.tab {
        Tab::Live => live::live_ui(ui, tr, (meter, model), &mut view.live, &mut view.exports, actions),
        Tab::Parameters => {
            let form = view.params.entry(meter.key).or_default();
            parameters::parameters_ui(ui, tr, meter, model, form, actions);
        }
        Tab::Configuration => {
            configuration::configuration_ui(ui, tr, meter, model, &mut view.config, actions)
        }
        Tab::Firmware => {
            let web = view.config.meter(meter);
            firmware::firmware_ui(ui, tr, meter, model, web, &mut view.firmware, actions)
        }
        Tab::Diagnostics => diagnostics::diagnostics_ui(ui, tr, meter),
        Tab::Wiring => {
            let c = &mut view.commish;
            let state = c.wiring.entry(meter.key).or_default();
            wiring_ui::wiring_ui(ui, tr, meter, state, &mut c.window.samples, actions);
        }
        Tab::Calibration => {
            let c = &mut view.commish;
            let state = c.calibration.entry(meter.key).or_default();
            calibration_ui::calibration_ui(ui, tr, meter, state, c.window, actions);
        }
        Tab::Recording => {
            let state = view.commish.recording.get(&Some(meter.key));
            let format = &mut view.exports.format;
            recording_ui::recording_ui(ui, tr, (Some(meter.key), state), true, format, actions);
        }
        Tab::Registers => registers_ui::registers_ui(ui, tr, meter),
        Tab::History => super::history_ui::history_ui(ui, tr, meter, view, actions),
    }
}

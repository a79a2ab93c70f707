//! First contact with a meter straight from the box, in the window: an
//! empty interface password field means the factory default (a typed one
//! always wins), and a meter in configuration mode is said to pause its
//! live readings instead of drawing a "connection refused" alarm.

use eframe::egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use je08::backend::web::{WebAction, WebOutcome};
use je08::backend::{JobOutcome, LinkState};
use je08::state::model::WebKind;
use je08_protocol::http_api::Mode;

use super::ui_config::{Fixture, fixture, refused_password};

const PAUSED_EN: &str =
    "Live readings pause while the meter is in configuration mode; they resume in application mode.";
const PAUSED_PT: &str = "As leituras ao vivo ficam em pausa enquanto o medidor está no modo configuração; elas voltam no modo aplicação.";

/// Run frames until the meter's Modbus session has failed at least once.
fn until_offline(f: &mut Fixture) {
    f.step_until("the Modbus session to fail", |app| {
        matches!(app.model.meters[0].link, LinkState::Offline(_))
    });
}

#[test]
fn with_the_password_field_empty_a_factory_meter_enters_configuration_mode_and_readings_are_said_to_pause() {
    let mut f = fixture(2231, Mode::Application);
    f.step_until("the first reading", |app| app.model.meters[0].latest.is_some());
    f.click("Configuration");
    f.idle();
    assert!(
        f.harness
            .state()
            .view
            .config
            .meters
            .values()
            .all(|m| m.password.0.is_empty()),
        "nothing typed"
    );
    f.enter_configuration_mode();
    let job = f.finished(WebKind::SwitchMode);
    assert!(
        matches!(&job.outcome, Some(JobOutcome::Web(found))
            if matches!(&**found, WebOutcome::Switched(i) if i.mode == Mode::Configuration)),
        "{:?}",
        job.outcome
    );
    assert!(f.meter.device.power_state().serving(Mode::Configuration));
    f.harness
        .get_by_label("Done: the meter answers in configuration mode.");

    until_offline(&mut f);
    f.harness.get_by_role_and_label(Role::Label, PAUSED_EN);
    assert!(
        f.harness.query_by_label_contains("connection refused").is_none(),
        "no Modbus advice for a meter known to be in configuration mode"
    );
}

#[test]
fn a_meter_in_configuration_mode_reads_with_the_empty_field_and_its_header_says_readings_pause_in_portuguese()
{
    let mut f = fixture(2232, Mode::Configuration);
    f.click("Language");
    f.click("Português (Brasil)");
    f.click("Configuração");
    f.step_until("the blocks, read with the factory default", |app| {
        app.view.config.meters.values().any(|m| m.forms.is_some())
    });
    until_offline(&mut f);
    f.harness.get_by_role_and_label(Role::Label, PAUSED_PT);
    for absent in ["conexão recusada", "connection refused", PAUSED_EN] {
        let found = f.harness.query_by_label_contains(absent);
        assert!(found.is_none(), "{absent:?} in the Portuguese window: {found:?}");
    }
}

#[test]
fn a_wrong_typed_password_still_fails_the_mode_switch_and_the_meter_stays_put() {
    let mut f = fixture(2233, Mode::Application);
    f.step_until("the first reading", |app| app.model.meters[0].latest.is_some());
    f.click("Configuration");
    f.idle();
    f.type_into("Interface password", "not-the-password");
    f.enter_configuration_mode();
    let job = f.finished(WebKind::SwitchMode);
    assert!(
        refused_password(&job, WebAction::SwitchMode(Mode::Configuration)),
        "{:?}",
        job.outcome
    );
    f.harness.get_by_label_contains("refused the interface password");
    assert_eq!(f.mode(), Mode::Application, "the meter did not switch");
}

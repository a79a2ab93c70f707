//! Property tests of profile files, which come from disk and may be edited
//! by hand: parsing never panics, whatever the text; what the configurator
//! writes reads back the same unless the profile itself is invalid; no
//! secret ever reaches the text; a profile accepted after an arbitrary edit
//! reads back the same once saved; `{id}` templates render back to the text
//! they were made from.

use std::net::Ipv4Addr;

use chrono::DateTime;
use je08_protocol::codec::{RegisterBlock, decode_settings};
use je08_protocol::http_api::{Connectivity, Protocols, Secret, WifiMode};
use je08_protocol::i18n::{Describe, Lang, Tr};
use je08_protocol::registers::Register;
use proptest::prelude::*;
use proptest::strategy::ValueTree;

use super::{FORMAT, HttpProfile, Profile, ProfileMeta, ProfileSettings, render, templated};

/// Marks every password generated here, so that a leak is found in the text.
const SECRET_MARK: &str = "S3cr3t-";

/// A host: mostly a name or an IPv4 address, sometimes empty or junk.
fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(String::new()),
        8 => "[a-z][a-z0-9]{0,7}(\\.[a-z][a-z0-9]{0,7}){0,2}",
        4 => any::<[u8; 4]>().prop_map(|o| Ipv4Addr::from(o).to_string()),
        1 => "[ -~]{0,20}",
    ]
}

/// Mostly a value of `usual`, now and then one of `any`.
fn mostly<T: std::fmt::Debug>(
    usual: impl Strategy<Value = T> + 'static,
    any: impl Strategy<Value = T> + 'static,
) -> impl Strategy<Value = T> {
    prop_oneof![19 => usual, 1 => any]
}

/// A topic: mostly levels of letters (`ID` stands for the meter's id; with
/// `wildcards`, `+` and `#` levels too), now and then junk.
fn topic(wildcards: bool) -> impl Strategy<Value = String> {
    let levels = if wildcards {
        "[a-z0-9]{1,6}(/([a-z0-9]{1,6}|ID|\\+)){0,3}(/#)?"
    } else {
        "[a-z0-9]{1,6}(/([a-z0-9]{1,6}|ID)){0,3}"
    };
    mostly(levels, "[ -~]{0,24}")
}

/// A meter's blocks, mostly valid, with the id inside some identities.
fn source_blocks() -> impl Strategy<Value = (Connectivity, Protocols, u32)> {
    (
        (
            any::<u32>(),
            any::<bool>(),
            mostly("[ -~]{1,32}", "[ -~]{0,40}"),
            0u8..10,
            mostly(8u32..=30, 0u32..=32),
            any::<[u8; 4]>(),
        ),
        (
            "[ -~]{0,20}",
            any::<bool>(),
            host(),
            mostly(1u32..=65535, 0u32..70_000),
            "[!-~]{1,20}",
            any::<bool>(),
        ),
        (
            topic(false),
            topic(true),
            mostly(1u32..=3600, any::<u32>()),
            any::<[bool; 4]>(),
            "[ -~]{0,12}",
        ),
    )
        .prop_map(|(network, names, mqtt)| {
            let (id, ap, ssid, dhcp_draw, prefix, gateway) = network;
            // An access point on DHCP is refused: drawn now and then only.
            let dhcp = if ap { dhcp_draw == 0 } else { dhcp_draw < 5 };
            let (name, name_has_id, host, port, client_id, client_has_id) = names;
            let (publish, subscribe, interval_s, [mqtt_on, tls, verify, client_auth], password) = mqtt;
            let mut c = Connectivity::factory(id);
            c.wifi_mode = if ap { WifiMode::Ap } else { WifiMode::St };
            c.ssid = ssid;
            c.dhcp = dhcp;
            c.netmask = Ipv4Addr::from(u32::MAX.checked_shl(32 - prefix).unwrap_or(0)).to_string();
            c.gateway = Ipv4Addr::from(gateway).to_string();
            c.device_name = if name_has_id { format!("{name} {id}") } else { name };
            c.password = Some(Secret::new(format!("{SECRET_MARK}wifi{password}")));
            c.interface_password = Some(Secret::new(format!("{SECRET_MARK}web{password}")));
            let mut p = Protocols::factory(id);
            let m = &mut p.mqtt;
            m.enabled = mqtt_on;
            m.host = host;
            m.port = port;
            m.client_id = if client_has_id {
                format!("{client_id}-{id}")
            } else {
                client_id
            };
            m.password = Some(Secret::new(format!("{SECRET_MARK}mqtt{password}")));
            m.publish_topic = publish.replace("ID", &id.to_string());
            m.subscribe_topic = subscribe.replace("ID", &id.to_string());
            m.interval_s = interval_s;
            m.tls.enabled = tls;
            m.tls.verify_server = verify;
            m.tls.client_auth = client_auth && tls;
            (c, p, id)
        })
}

/// A raw value for setting register `a`: mostly within its write range.
fn setting_word(a: u16) -> impl Strategy<Value = u16> {
    let (min, max) = Register::at(a).range.expect("a setting has a write range");
    prop_oneof![99 => min..=max, 1 => any::<u16>()]
}

/// A profile: metering settings read from registers 9–19 and, maybe, the
/// HTTP blocks of a meter.
fn profiles() -> impl Strategy<Value = Profile> {
    (
        (9..=19).map(setting_word).collect::<Vec<_>>(),
        proptest::option::weighted(0.8, source_blocks()),
        0i64..4_000_000_000,
        0u32..1_000_000_000,
        "[ -~]{0,20}",
    )
        .prop_map(|(words, blocks, seconds, nanos, description)| {
            let mut block = RegisterBlock::default();
            for (a, word) in (9..=19).zip(words) {
                block.set(a, word);
            }
            let http = blocks.map(|(c, p, id)| HttpProfile::from_blocks(&c, &p, id));
            Profile {
                meta: ProfileMeta {
                    format: FORMAT,
                    source_device_id: 7,
                    saved_at: DateTime::from_timestamp(seconds, nanos).expect("in range"),
                    description,
                    backup_of: Some(7),
                },
                settings: ProfileSettings::with_gains(&decode_settings(&block)),
                http,
                gains_ignored: false,
            }
        })
}

/// Whether `text` holds `id` as a whole number with no letter beside it.
fn holds_id(text: &str, id: u32) -> bool {
    let id = id.to_string();
    let bytes = text.as_bytes();
    let letter = |at: Option<&u8>| at.is_some_and(u8::is_ascii_alphabetic);
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let before = start.checked_sub(1).and_then(|j| bytes.get(j));
        if text[start..i] == id && !letter(before) && !letter(bytes.get(i)) {
            return true;
        }
    }
    false
}

/// Every sentence of a refusal is readable in every language.
fn said(problem: &dyn Describe) {
    for lang in Lang::ALL {
        assert!(!problem.describe(Tr(lang)).trim().is_empty());
    }
}

/// A profile the configurator accepted reads back the same once saved.
fn saved_reads_back(profile: &Profile) -> Result<(), TestCaseError> {
    let text = profile.to_toml().expect("an accepted profile serialises");
    let back = Profile::from_toml(&text, "saved").map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    // `gains_ignored` says what the reading of an edited file dropped; the
    // saved file no longer holds those gains, so its reading drops nothing.
    let content = Profile {
        gains_ignored: false,
        ..profile.clone()
    };
    prop_assert_eq!(&back, &content);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_text_is_read_or_refused_in_words(text in "[ -~\n\\[\\]=\"{}]{0,300}") {
        match Profile::from_toml(&text, "any") {
            Ok(profile) => saved_reads_back(&profile)?,
            Err(err) => said(&err),
        }
    }

    #[test]
    fn written_profiles_read_back_unless_invalid(profile in profiles()) {
        let text = profile.to_toml().expect("serialises");
        prop_assert!(!text.contains(SECRET_MARK), "a secret in the file:\n{}", text);
        match Profile::from_toml(&text, "p") {
            Ok(back) => prop_assert_eq!(back, profile),
            Err(err) => {
                said(&err);
                let http_invalid = profile.http.as_ref().is_some_and(|h| h.validate().is_err());
                let words: Vec<(u16, i64)> = je08_protocol::validate::settings_words(&profile.settings.for_meter(&je08_protocol::readings::Settings::factory()))
                    .into_iter()
                    .map(|(a, v)| (a, i64::from(v)))
                    .collect();
                let settings_invalid = je08_protocol::validate::WritePlan::new(&words).is_err();
                prop_assert!(http_invalid || settings_invalid, "a valid profile refused: {}\n{}", err, text);
            }
        }
    }

    #[test]
    fn edited_files_are_read_or_refused(
        profile in profiles(),
        at in any::<prop::sample::Index>(),
        cut in 0usize..40,
        insert in "[ -~\n]{0,30}",
    ) {
        let text = profile.to_toml().expect("serialises");
        let start = at.index(text.len() + 1);
        let end = (start + cut).min(text.len());
        let edited = format!("{}{insert}{}", &text[..start], &text[end..]);
        match Profile::from_toml(&edited, "edited") {
            Ok(profile) => saved_reads_back(&profile)?,
            Err(err) => said(&err),
        }
    }

    #[test]
    fn templates_render_back_to_their_text(text in "[ -z|~]{0,40}", id in prop_oneof![0u32..20, any::<u32>()]) {
        let template = templated(&text, id);
        prop_assert_eq!(template.is_some(), holds_id(&text, id), "{:?}", template);
        if let Some(template) = template {
            prop_assert_eq!(render(&template, id), text);
        }
    }
}

/// The generators make mostly valid profiles, so the round trip above is
/// exercised and not only the refusals.
#[test]
fn most_generated_profiles_are_valid() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = profiles();
    let accepted = (0..200)
        .filter(|_| {
            let profile = strategy.new_tree(&mut runner).expect("a profile").current();
            Profile::from_toml(&profile.to_toml().expect("serialises"), "p").is_ok()
        })
        .count();
    assert!(
        accepted >= 40,
        "only {accepted} of 200 generated profiles are valid"
    );
}

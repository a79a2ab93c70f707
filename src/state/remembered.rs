//! Names and notes given to meters in the window, kept where `je08
//! discover` reads them: the remembered-meters store
//! (`je08_client::store::meters`, one atomic, salvaging file), by device id.
//!
//! A row's id comes from its readings (or discovery), or, before the meter
//! answers, from the preferences, which keep each listed meter's id but no
//! longer its name and notes. What a row was given before its id was known
//! — typed while the meter never answered, or saved in the preferences by
//! an earlier version — waits here and is merged into the store once the
//! id is known; the store wins where both have a value. Without a store
//! (no data folder), names and notes stay in the preferences as before.
//! Demo meters are simulators: nothing of theirs is remembered.

use std::collections::{BTreeSet, HashMap};

use super::model::{MeterRow, Model};
use super::prefs::SavedMeter;
use crate::backend::{Command, MeterKey};
use je08_client::discovery::Source;
use je08_client::store::meters::MeterStore;

/// The window's side of the remembered-meters store.
#[derive(Debug, Default)]
pub struct Remembered {
    /// The store as last read and changed here; `None`: none could be opened.
    store: Option<MeterStore>,
    /// Per row, the device id the preferences saved it with.
    hints: HashMap<MeterKey, u32>,
    /// Per row, the device id its name and notes are now those of.
    bound: HashMap<MeterKey, u32>,
    /// Per row, a name and notes waiting for the row's device id.
    pending: HashMap<MeterKey, (String, String)>,
    /// Ids changed here and not yet handed to the backend to save.
    unsaved: BTreeSet<u32>,
}

/// Put `name` and `notes` on meter `id` in `store`; true when it changed.
fn put(store: &mut MeterStore, id: u32, name: &str, notes: &str) -> bool {
    let meter = store.add(id);
    let name = name.trim();
    let name = (!name.is_empty()).then(|| name.to_owned());
    let changed = meter.name != name || meter.notes != notes;
    meter.name = name;
    notes.clone_into(&mut meter.notes);
    changed
}

impl Remembered {
    /// Keep names and notes in `store` from now on.
    pub fn set_store(&mut self, store: MeterStore) {
        self.store = Some(store);
    }

    /// A row restored from the preferences: the id it was saved with, and
    /// the name and notes saved there (merged into the store once the id is
    /// known).
    pub fn restore(&mut self, key: MeterKey, saved: &SavedMeter) {
        if let Some(id) = saved.id {
            self.hints.insert(key, id);
        }
        if !saved.name.is_empty() || !saved.notes.is_empty() {
            self.pending
                .insert(key, (saved.name.clone(), saved.notes.clone()));
        }
    }

    fn id_of(&self, row: &MeterRow) -> Option<u32> {
        row.device_id.or_else(|| self.hints.get(&row.key).copied())
    }

    /// Give every row whose id is (newly) known the store's name and notes,
    /// merging what was waiting for that id into the store.
    pub fn sync(&mut self, model: &mut Model) {
        let Some(store) = &mut self.store else {
            return;
        };
        for row in &mut model.meters {
            if row.sources.contains(&Source::Demo) {
                continue;
            }
            let Some(id) = row.device_id.or_else(|| self.hints.get(&row.key).copied()) else {
                continue;
            };
            let waiting = self.pending.remove(&row.key);
            let before = self.bound.insert(row.key, id);
            if before == Some(id) && waiting.is_none() {
                continue;
            }
            let (mut name, mut notes) = store
                .get(id)
                .map(|m| (m.name.clone().unwrap_or_default(), m.notes.clone()))
                .unwrap_or_default();
            if let Some((old_name, old_notes)) = waiting {
                if name.is_empty() {
                    name = old_name;
                }
                if notes.is_empty() {
                    notes = old_notes;
                }
                if put(store, id, &name, &notes) {
                    self.unsaved.insert(id);
                }
            } else if before.is_none() && name.is_empty() && notes.is_empty() {
                // Nothing remembered for it: the row keeps what it shows.
                continue;
            }
            (row.name, row.notes) = (name, notes);
        }
    }

    /// The user gave `row` (already showing them) a name and notes.
    pub fn save_details(&mut self, row: &MeterRow) {
        if row.sources.contains(&Source::Demo) {
            return;
        }
        match (self.id_of(row), &mut self.store) {
            (Some(id), Some(store)) => {
                if put(store, id, &row.name, &row.notes) {
                    self.unsaved.insert(id);
                }
                self.bound.insert(row.key, id);
                self.pending.remove(&row.key);
            }
            _ => {
                self.pending
                    .insert(row.key, (row.name.clone(), row.notes.clone()));
            }
        }
    }

    /// True while a change made here has not been handed to the backend.
    pub fn has_unsaved(&self) -> bool {
        !self.unsaved.is_empty()
    }

    /// The command saving one changed meter into the store's file (merged
    /// there with what other programs wrote); taken off the list.
    pub fn take_save(&mut self) -> Option<Command> {
        let id = self.unsaved.pop_first()?;
        let store = self.store.as_ref()?;
        let details = store
            .get(id)
            .map(|meter| (meter.name.clone().unwrap_or_default(), meter.notes.clone()));
        Some(Command::Remember {
            path: store.path().to_owned(),
            id,
            details,
        })
    }

    /// The user forgot a row: its name and notes leave the store too (so
    /// `je08 discover` no longer shows them), unless another row still
    /// shows that meter.
    pub fn forget(&mut self, key: MeterKey) {
        self.hints.remove(&key);
        self.pending.remove(&key);
        let Some(id) = self.bound.remove(&key) else {
            return;
        };
        let still_listed = self.bound.values().any(|other| *other == id);
        if let Some(store) = &mut self.store
            && !still_listed
            && store.forget(id).is_some()
        {
            self.unsaved.insert(id);
        }
    }

    /// What the preferences keep of `row`: its address, endpoints and id,
    /// and its name and notes only while the store does not hold them.
    pub fn saved(&self, row: &MeterRow) -> SavedMeter {
        let in_store = self.store.is_some() && self.bound.contains_key(&row.key);
        let kept = |text: &String| if in_store { String::new() } else { text.clone() };
        SavedMeter {
            address: row.address.clone(),
            name: kept(&row.name),
            notes: kept(&row.notes),
            id: self.id_of(row),
            endpoints: row.endpoints.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty_store() -> MeterStore {
        let path = std::env::temp_dir()
            .join(format!("je08-remembered-{}", rand::random::<u64>()))
            .join("meters.json");
        MeterStore::open(path)
            .expect("a missing file is an empty store")
            .0
    }

    fn row(model: &mut Model, source: Source, id: u32) -> MeterKey {
        let key = model.new_key();
        let mut row = MeterRow::new(key, format!("10.0.0.{id}:502"), String::new(), source);
        row.device_id = Some(id);
        model.meters.push(row);
        key
    }

    #[test]
    fn demo_meters_are_never_remembered_and_a_new_meter_at_an_address_loses_the_old_name() {
        let mut model = Model::default();
        let mut remembered = Remembered::default();
        let mut store = empty_store();
        store.add(7).name = Some("Feeder 7".into());
        store.add(1001).name = Some("A real meter 1001".into());
        remembered.set_store(store);

        let demo = row(&mut model, Source::Demo, 1001);
        model.meter_mut(demo).unwrap().name = "Balanced demo".into();
        let mine = row(&mut model, Source::Manual, 7);
        remembered.sync(&mut model);
        assert_eq!(model.meter(demo).unwrap().name, "Balanced demo");
        assert_eq!(model.meter(mine).unwrap().name, "Feeder 7");

        remembered.save_details(model.meter(demo).unwrap());
        assert!(!remembered.has_unsaved(), "nothing of a demo meter is saved");

        // Another meter answers at that address: the name was meter 7's.
        model.meter_mut(mine).unwrap().device_id = Some(8);
        remembered.sync(&mut model);
        assert_eq!(model.meter(mine).unwrap().name, "");
        assert_eq!(remembered.saved(model.meter(mine).unwrap()).id, Some(8));
    }
}

//! Saving a name and notes into the remembered-meters file, off the UI
//! thread: the file is read again, the one meter changed, and written
//! atomically, so what `je08 discover` noted meanwhile is kept.

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use je08_client::store::meters::{MeterStore, StoreError};

/// One read-change-write of the file at a time in this process.
static FILE: Mutex<()> = Mutex::new(());

/// Set meter `id`'s name (empty: none) and notes in the file at `path`,
/// or, with `None`, forget the meter there.
pub fn save(path: PathBuf, id: u32, details: Option<(&str, &str)>) -> Result<(), StoreError> {
    let _one_at_a_time = FILE.lock().unwrap_or_else(PoisonError::into_inner);
    let (mut store, _recovery) = MeterStore::open(path)?;
    match details {
        Some((name, notes)) => {
            store.add(id);
            store.rename(id, name)?;
            store.set_notes(id, notes)?;
        }
        None => {
            if store.forget(id).is_none() {
                return Ok(());
            }
        }
    }
    store.save()
}

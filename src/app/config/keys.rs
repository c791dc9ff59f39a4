//! The `[keys]` section: rebinding actions (`failover = "F"`, or a list of keys),
//! checked against the keymap at start; errors name the file and the key.

use super::ConfigError;
use crate::outputs::ui::keymap::Keymap;
use serde::Deserialize;
use std::collections::BTreeMap;

/// One key or several for an action.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

pub type KeysSection = BTreeMap<String, KeyList>;

pub fn build(section: KeysSection, origin: &str) -> Result<Keymap, ConfigError> {
    let entries: Vec<(String, Vec<String>)> = section
        .into_iter()
        .map(|(action, keys)| {
            let keys = match keys {
                KeyList::One(k) => vec![k],
                KeyList::Many(ks) => ks,
            };
            (action, keys)
        })
        .collect();
    Keymap::with_overrides(&entries).map_err(|e| ConfigError::Key {
        path: origin.to_string(),
        key: e.key,
        message: e.message,
    })
}

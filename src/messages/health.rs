//! What the channel plumbing reports into the snapshot: each bounded channel's
//! written overflow policy and how often it hit it.

use serde::{Deserialize, Serialize};

/// One bounded channel's health: its written overflow policy and how often it hit it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelStat {
    pub name: crate::domain::types::Label,
    pub capacity: usize,
    pub policy: crate::domain::types::Label,
    /// Times a sender found the channel full.
    pub full: u64,
    /// Items lost to the policy (only for drop policies).
    pub dropped: u64,
}

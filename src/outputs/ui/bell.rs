//! The terminal bell: rung once when a CRITICAL alert starts firing that nobody has
//! acknowledged, snoozed or inhibited. Pure bookkeeping; the shell rings.

use crate::domain::alerts::{AlertState, Severity};
use crate::domain::types::Label;
use crate::engine::snapshot::Snapshot;

/// Whether a CRITICAL alert has started firing (unacknowledged, not snoozed, not
/// inhibited) since the last call: the shell rings the terminal bell then. `rung`
/// remembers the ids already rung for; an alert that resolves and fires again rings
/// again.
pub fn bell_due(rung: &mut Vec<Label>, snap: &Snapshot) -> bool {
    let now: Vec<Label> = snap
        .alerts
        .active
        .iter()
        .filter(|a| {
            a.severity == Severity::Critical
                && a.state == AlertState::Firing
                && !a.acked
                && a.inhibited_by.is_none()
                && a.snoozed_until.is_none_or(|until| until <= snap.now)
        })
        .map(|a| a.id.clone())
        .collect();
    let due = now.iter().any(|id| !rung.contains(id));
    *rung = now;
    due
}

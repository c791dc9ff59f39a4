//! The store's batched insert of everything the writer receives (events, router
//! transitions, SLO minutes, alert history) in one transaction, and the reads that seed
//! a live run with the SLO minutes and alert history of earlier live runs.

use super::{Store, StoreError};
use crate::domain::alerts::{Actor, AlertRecord};
use crate::domain::event::Event;
use crate::domain::router::Transition;
use crate::domain::slo::MinuteBucket;
use crate::domain::types::Ts;
use rusqlite::params;

const INSERT_TRANSITION_SQL: &str = "INSERT INTO transitions (session_id, at_ns, from_state, to_state, reason, failover, failback) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
const INSERT_EVENT_SQL: &str = "INSERT INTO events \
    (session_id, at_ns, level, kind, source, symbol, message) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
/// A minute written twice (closed at shutdown, then continued by the next run) adds up.
const UPSERT_SLO_SQL: &str = "INSERT INTO slo_minutes \
    (minute, observed_secs, available_secs, alpaca_up_secs, latency_total, latency_good, \
     validation_total, validation_good) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
    ON CONFLICT(minute) DO UPDATE SET \
    observed_secs = min(60, observed_secs + excluded.observed_secs), \
    available_secs = min(60, available_secs + excluded.available_secs), \
    alpaca_up_secs = min(60, alpaca_up_secs + excluded.alpaca_up_secs), \
    latency_total = latency_total + excluded.latency_total, \
    latency_good = latency_good + excluded.latency_good, \
    validation_total = validation_total + excluded.validation_total, \
    validation_good = validation_good + excluded.validation_good";
const INSERT_ALERT_SQL: &str = "INSERT INTO alert_history \
    (session_id, at_ns, alert_id, name, severity, action, actor, summary) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/// One `alert_history` row, columns in the order both readers select them.
fn alert_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AlertRecord> {
    Ok(AlertRecord {
        at: Ts(r.get(0)?),
        alert_id: r.get(1)?,
        name: r.get(2)?,
        severity: r.get(3)?,
        action: r.get(4)?,
        actor: Actor::parse(&r.get::<_, String>(5)?),
        summary: r.get(6)?,
    })
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Store {
    /// Everything in one transaction (all or none), so one fsync covers the lot.
    /// Returns how many rows were written.
    pub fn insert_all(
        &mut self,
        session_id: i64,
        events: &[Event],
        transitions: &[Transition],
        slo_minutes: &[MinuteBucket],
        alerts: &[AlertRecord],
    ) -> Result<usize, StoreError> {
        let path = &self.path;
        let sql = |cause| StoreError::Sql {
            path: path.clone(),
            op: "insert events",
            cause,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        {
            let mut stmt = tx.prepare_cached(INSERT_EVENT_SQL).map_err(sql)?;
            for event in events {
                stmt.execute(params![
                    session_id,
                    event.at.as_nanos(),
                    event.level.as_str(),
                    event.kind.as_str(),
                    event.source.map(|s| s.as_str()),
                    event.symbol.as_ref().map(|s| s.as_str()),
                    event.message,
                ])
                .map_err(sql)?;
            }
            let mut stmt = tx.prepare_cached(INSERT_TRANSITION_SQL).map_err(sql)?;
            for t in transitions {
                stmt.execute(params![
                    session_id,
                    t.at.as_nanos(),
                    t.from.as_str(),
                    t.to.as_str(),
                    t.reason,
                    t.failover,
                    t.failback,
                ])
                .map_err(sql)?;
            }
            let mut stmt = tx.prepare_cached(UPSERT_SLO_SQL).map_err(sql)?;
            for b in slo_minutes {
                stmt.execute(params![
                    b.minute,
                    b.observed_secs,
                    b.available_secs,
                    b.alpaca_up_secs,
                    to_i64(b.latency_total),
                    to_i64(b.latency_good),
                    to_i64(b.validation_total),
                    to_i64(b.validation_good),
                ])
                .map_err(sql)?;
            }
            let mut stmt = tx.prepare_cached(INSERT_ALERT_SQL).map_err(sql)?;
            for a in alerts {
                stmt.execute(params![
                    session_id,
                    a.at.as_nanos(),
                    a.alert_id,
                    a.name,
                    a.severity,
                    a.action,
                    a.actor.as_str(),
                    a.summary,
                ])
                .map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)?;
        Ok(events.len() + transitions.len() + slo_minutes.len() + alerts.len())
    }

    /// SLO minutes from `since_minute` (minutes since the Unix epoch) on, oldest first.
    pub fn slo_minutes(&self, since_minute: i64) -> Result<Vec<MinuteBucket>, StoreError> {
        let sql = |source| self.sql_err("read slo minutes", source);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT minute, observed_secs, available_secs, alpaca_up_secs, latency_total, \
                 latency_good, validation_total, validation_good FROM slo_minutes \
                 WHERE minute >= ?1 ORDER BY minute",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map([since_minute], |r| {
                Ok(MinuteBucket {
                    minute: r.get(0)?,
                    observed_secs: r.get(1)?,
                    available_secs: r.get(2)?,
                    alpaca_up_secs: r.get(3)?,
                    latency_total: to_u64(r.get(4)?),
                    latency_good: to_u64(r.get(5)?),
                    validation_total: to_u64(r.get(6)?),
                    validation_good: to_u64(r.get(7)?),
                })
            })
            .map_err(sql)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(sql)
    }

    /// The newest `limit` alert history entries of live sessions, oldest first (the
    /// order to replay them into memory). Replay and demo runs are their own story.
    pub fn live_alert_history(&self, limit: usize) -> Result<Vec<AlertRecord>, StoreError> {
        let sql = |source| self.sql_err("read alert history", source);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT h.at_ns, h.alert_id, h.name, h.severity, h.action, h.actor, h.summary \
                 FROM alert_history h JOIN sessions s ON s.id = h.session_id \
                 WHERE s.mode = 'live' ORDER BY h.at_ns DESC, h.id DESC LIMIT ?1",
            )
            .map_err(sql)?;
        let rows = stmt.query_map([limit], alert_row).map_err(sql)?;
        let mut out = rows.collect::<Result<Vec<_>, _>>().map_err(sql)?;
        out.reverse();
        Ok(out)
    }

    /// Every alert history row, oldest first, with its session's mode (for tests and
    /// the operator's own queries).
    pub fn alert_history(&self) -> Result<Vec<AlertRecord>, StoreError> {
        let sql = |source| self.sql_err("read alert history", source);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT at_ns, alert_id, name, severity, action, actor, summary \
                 FROM alert_history ORDER BY id",
            )
            .map_err(sql)?;
        let rows = stmt.query_map([], alert_row).map_err(sql)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(sql)
    }
}

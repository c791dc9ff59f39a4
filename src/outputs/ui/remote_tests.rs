//! A remote screen (`tapewatch attach`) against the local one: the demo's snapshots at
//! its three moments go through the stream's document (written whole, read back) and
//! every page draws the same buffer, styles included, at 80×24 and 120×40.

use super::demo_testutil::{moment, AFTER_MS, BEFORE_MS, DURING_MS};
use super::testutil::render_buffer;
use super::theme::Theme;
use crate::engine::doc::{Decoder, Encoder, Whole};
use crate::engine::snapshot::Snapshot;
use std::sync::Arc;

/// The snapshot as `attach` holds it after the stream's first (whole) message.
pub(super) fn through_the_stream(snap: &Snapshot) -> Snapshot {
    let encoded = Encoder::default().next(Arc::new(snap.clone())).unwrap();
    let whole = Whole {
        main: &encoded.main,
        snap: &encoded.snap,
    };
    let text = serde_json::to_string(&whole).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    Decoder::default().decode(&doc, None).unwrap()
}

#[test]
fn the_remote_screen_matches_the_local_one() {
    let theme = Theme::embedded_default();
    for t_ms in [BEFORE_MS, DURING_MS, AFTER_MS] {
        let local = moment(t_ms);
        let remote = through_the_stream(&local);
        // Equal but for the recent prints, which the screen does not draw.
        let mut expected = local.clone();
        expected
            .watchlist
            .iter_mut()
            .for_each(|v| v.tape.recent.clear());
        assert_eq!(remote, expected, "at {t_ms} ms");
        assert!(remote.watchlist.iter().all(|v| !v.bars.is_empty()));
        for (page, ui) in super::demo_tests::pages(&local) {
            for (w, h) in [(80, 24), (120, 40)] {
                assert_eq!(
                    render_buffer(&remote, &ui, &theme, w, h),
                    render_buffer(&local, &ui, &theme, w, h),
                    "{page} at {w}x{h}, {t_ms} ms"
                );
            }
        }
    }
}

//! Time frames for the charts: one-minute bars folded into 5- and 15-minute bars
//! from what is held in memory. Pure.

use super::MinuteBar;

/// The chart's bar width.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum TimeFrame {
    #[default]
    M1,
    M5,
    M15,
}

impl TimeFrame {
    pub const fn minutes(self) -> i32 {
        match self {
            TimeFrame::M1 => 1,
            TimeFrame::M5 => 5,
            TimeFrame::M15 => 15,
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            TimeFrame::M1 => "1m",
            TimeFrame::M5 => "5m",
            TimeFrame::M15 => "15m",
        }
    }

    /// The next one (`t` in the symbol view), round.
    pub const fn next(self) -> TimeFrame {
        match self {
            TimeFrame::M1 => TimeFrame::M5,
            TimeFrame::M5 => TimeFrame::M15,
            TimeFrame::M15 => TimeFrame::M1,
        }
    }
}

/// Folds minute bars (oldest first) into `frame` bars aligned to multiples of its
/// length since the epoch (so 5-minute bars start at :00, :05, ...). A folded bar's
/// source is the least trusted of its minutes, so Yahoo's share stays visible.
pub fn aggregate<'a>(
    bars: impl Iterator<Item = &'a MinuteBar>,
    frame: TimeFrame,
) -> Vec<MinuteBar> {
    let n = frame.minutes();
    let mut out: Vec<MinuteBar> = Vec::new();
    for b in bars {
        let start = b.minute - b.minute.rem_euclid(n);
        match out.last_mut() {
            Some(last) if last.minute == start => {
                last.high = last.high.max(b.high);
                last.low = last.low.min(b.low);
                last.close = b.close;
                last.volume = last.volume.saturating_add(b.volume);
                last.source = last.source.min(b.source);
            }
            _ => out.push(MinuteBar {
                minute: start,
                ..*b
            }),
        }
    }
    out
}

//! Validation marks under the price chart: `×` where a message was rejected, `▲`
//! where the symbol's price breaker tripped, at the bar of the minute it happened.
//! `←`/`→` select one; the row beneath says what it was.

use super::super::columns::{ellipsize, text_width};
use super::super::format;
use super::super::theme::{Role, Theme};
use super::ChartOpts;
use crate::domain::bars::{minute_of, MinuteBar};
use crate::engine::snapshot::SymbolView;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The column of the bar holding `minute`, if it is on the chart.
fn column(bars: &[MinuteBar], minute: i32, frame_minutes: i32) -> Option<usize> {
    bars.iter()
        .position(|b| b.minute <= minute && minute < b.minute + frame_minutes)
}

/// Two rows: the marks on the time axis, then the selected mark's reason (or how to
/// select one).
#[allow(clippy::too_many_arguments)]
pub(super) fn draw(
    frame: &mut Frame,
    area: Rect,
    offset: u16,
    per_bar: u16,
    bars: &[MinuteBar],
    opts: &ChartOpts,
    v: &SymbolView,
    theme: &Theme,
) {
    let marks = v.bars.markers();
    let width = usize::from(area.width);
    let mut cells: Vec<Span> = vec![Span::raw(" "); width];
    let label = "marks";
    if usize::from(offset) > label.len() {
        for (i, c) in label.chars().enumerate() {
            cells[usize::from(offset) - 1 - label.len() + i] =
                Span::styled(c.to_string(), theme.style(Role::Muted));
        }
    }
    let selected = opts.mark.and_then(|i| marks.get(i).map(|_| i));
    for (i, m) in marks.iter().enumerate() {
        let Some(minute) = minute_of(m.at) else {
            continue;
        };
        let Some(col) = column(bars, minute, opts.frame.minutes()) else {
            continue;
        };
        let x = usize::from(offset) + col * usize::from(per_bar);
        if x >= width {
            continue;
        }
        let (glyph, role) = if m.tripped {
            ("▲", Role::Error)
        } else {
            ("×", Role::Warn)
        };
        let mut style = theme.style(role);
        if selected == Some(i) {
            style = style.add_modifier(Modifier::REVERSED);
        }
        // A selected mark wins its cell over another in the same minute.
        if selected != Some(i) && cells[x].content != " " && selected.is_some() {
            continue;
        }
        cells[x] = Span::styled(glyph, style);
    }
    frame.render_widget(
        Paragraph::new(Line::from(cells)),
        Rect { height: 1, ..area },
    );
    if area.height < 2 {
        return;
    }
    let text = match selected.and_then(|i| marks.get(i)) {
        Some(m) => {
            let at = format!(" {} ", format::ny_time(m.at));
            let room = area.width.saturating_sub(text_width(&at));
            Line::from(vec![
                Span::styled(at, theme.style(Role::Accent)),
                Span::styled(ellipsize(&m.reason, room), theme.style(Role::Text)),
            ])
        }
        None => Line::from(Span::styled(
            ellipsize(
                &format!(
                    " {} mark{} (× rejected, ▲ breaker tripped): ←/→ select one to read it",
                    marks.len(),
                    if marks.len() == 1 { "" } else { "s" }
                ),
                area.width,
            ),
            theme.style(Role::Muted),
        )),
    };
    frame.render_widget(
        Paragraph::new(text),
        Rect::new(area.x, area.y + 1, area.width, 1),
    );
}

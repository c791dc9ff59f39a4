//! Tables that fit the width they get without lying. Each column is exactly as wide
//! as its widest cell (title included), so a number is never cut: a squeezed,
//! right-aligned `229.23` would lose its leading digit and read `29.23`. When the
//! table is too narrow, whole columns are dropped in the order of priority each
//! table documents (the highest number goes first); one flexible text column (a
//! note) takes what is left and ends in an ellipsis when its text does not fit.

use unicode_width::UnicodeWidthStr;

/// One column's needs: its width (widest cell or title) and its drop priority
/// (0 is never dropped; larger numbers are dropped first).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ColumnNeed {
    pub width: u16,
    pub priority: u8,
}

/// Display width of a cell's text.
pub fn text_width(s: &str) -> u16 {
    u16::try_from(UnicodeWidthStr::width(s)).unwrap_or(u16::MAX)
}

/// The widest of a title and a column's cells.
pub fn widest<'a>(title: &str, cells: impl IntoIterator<Item = &'a str>) -> u16 {
    cells
        .into_iter()
        .map(text_width)
        .fold(text_width(title), u16::max)
}

/// Which columns to keep (indices in display order) so their widths, `spacing`
/// between them and `reserved` cells (a selection marker, a minimum for the
/// flexible column) fit in `avail`. Drops the highest priority number first, the
/// rightmost among equals; priority 0 columns always stay.
pub fn fit(avail: u16, needs: &[ColumnNeed], spacing: u16, reserved: u16) -> Vec<usize> {
    let mut keep: Vec<usize> = (0..needs.len()).collect();
    let total = |keep: &[usize]| -> u32 {
        let widths: u32 = keep.iter().map(|&i| u32::from(needs[i].width)).sum();
        let gaps = u32::from(spacing) * u32::try_from(keep.len()).unwrap_or(0);
        widths + gaps + u32::from(reserved)
    };
    while total(&keep) > u32::from(avail) {
        let victim = keep
            .iter()
            .enumerate()
            .filter(|(_, &i)| needs[i].priority > 0)
            .max_by_key(|(pos, &i)| (needs[i].priority, *pos))
            .map(|(pos, _)| pos);
        match victim {
            Some(pos) => {
                keep.remove(pos);
            }
            None => break,
        }
    }
    keep
}

/// One fact on a line of facts: its spans, kept or dropped as a whole.
pub type Part = Vec<(String, super::theme::Role)>;

/// The `parts` that fit in `width` cells, each whole, in order, separated by `sep`
/// (a part that does not fit ends the line: later ones are less important).
pub fn fit_parts(
    parts: Vec<Part>,
    width: u16,
    sep: &'static str,
    theme: &super::theme::Theme,
) -> ratatui::text::Line<'static> {
    use ratatui::text::Span;
    let mut spans = Vec::new();
    let mut used = 0u16;
    for (i, part) in parts.into_iter().enumerate() {
        let gap = if i > 0 { sep } else { "" };
        let need = text_width(gap) + part.iter().map(|(t, _)| text_width(t)).sum::<u16>();
        if used.saturating_add(need) > width {
            break;
        }
        used += need;
        spans.push(Span::styled(gap, theme.style(super::theme::Role::Border)));
        for (t, role) in part {
            spans.push(Span::styled(t, theme.style(role)));
        }
    }
    ratatui::text::Line::from(spans)
}

/// Spans wider than this are sentences, cut with an ellipsis; narrower ones are
/// words, numbers and names, kept whole or dropped.
const SENTENCE_COLS: u16 = 16;

/// The spans of `line` that fit in `width` cells whole: a span that would be cut is
/// dropped with everything after it, and so is a label left without its value (a
/// span ending in a space, like `msgs `). Status lines are built so each span is a
/// word, a number or a name.
pub fn whole_spans(line: ratatui::text::Line<'_>, width: u16) -> ratatui::text::Line<'_> {
    let (style, alignment) = (line.style, line.alignment);
    let done = |spans| ratatui::text::Line {
        spans,
        style,
        alignment,
    };
    let mut used = 0u16;
    let mut kept = Vec::with_capacity(line.spans.len());
    for span in line.spans {
        let w = text_width(&span.content);
        if used.saturating_add(w) > width {
            // A sentence (a notice, a question) ends in an ellipsis instead.
            if w > SENTENCE_COLS && width - used > 1 {
                let room = width - used;
                kept.push(ratatui::text::Span::styled(
                    ellipsize(&span.content, room),
                    span.style,
                ));
                return done(kept);
            }
            break;
        }
        used += w;
        kept.push(span);
    }
    if kept.len() < kept.capacity() {
        while kept.last().is_some_and(|s| s.content.ends_with(' ')) {
            kept.pop();
        }
    }
    done(kept)
}

/// `text` cut to `width` display cells, ending in `…` when cut.
pub fn ellipsize(text: &str, width: u16) -> String {
    let width = usize::from(width);
    if UnicodeWidthStr::width(text) <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(width: u16, priority: u8) -> ColumnNeed {
        ColumnNeed { width, priority }
    }

    #[test]
    fn columns_drop_by_priority_never_squeeze() {
        // Symbol(0) Last(1) Chg(5) Chg%(2) Source(4) Age(3), spacing 1.
        let cols = [
            need(6, 0),
            need(8, 1),
            need(7, 5),
            need(7, 2),
            need(6, 4),
            need(4, 3),
        ];
        // (available, reserved, kept)
        let cases: [(u16, u16, Vec<usize>); 6] = [
            (100, 2, vec![0, 1, 2, 3, 4, 5]),
            // 6+8+7+7+6+4 = 38, + 6 gaps + 2 = 46.
            (46, 2, vec![0, 1, 2, 3, 4, 5]),
            (45, 2, vec![0, 1, 3, 4, 5]),
            (30, 2, vec![0, 1, 3]),
            (20, 2, vec![0, 1]),
            // Priority 0 stays even when nothing fits.
            (3, 2, vec![0]),
        ];
        for (avail, reserved, want) in cases {
            assert_eq!(fit(avail, &cols, 1, reserved), want, "{avail}");
        }
        // Equal priorities: the rightmost goes first.
        let pair = [need(5, 0), need(5, 3), need(5, 3)];
        assert_eq!(fit(13, &pair, 1, 0), vec![0, 1]);
    }

    #[test]
    fn status_spans_are_kept_whole_or_dropped() {
        use ratatui::text::{Line, Span};
        let line = || {
            Line::from(vec![
                Span::raw(" q quit"),
                Span::raw("  msgs "),
                Span::raw("6,511"),
                Span::raw("  backfill"),
            ])
        };
        let text = |l: Line<'_>| {
            l.spans
                .iter()
                .map(|s| s.content.to_string())
                .collect::<String>()
        };
        assert_eq!(
            text(whole_spans(line(), 100)),
            " q quit  msgs 6,511  backfill"
        );
        assert_eq!(text(whole_spans(line(), 22)), " q quit  msgs 6,511");
        // The number does not fit: its label goes with it.
        assert_eq!(text(whole_spans(line(), 16)), " q quit");
        let notice = Line::from(Span::raw(" TSLA has a position (150 shares)"));
        assert_eq!(text(whole_spans(notice, 12)), " TSLA has a…");
    }

    #[test]
    fn widths_come_from_the_widest_cell_and_text_gets_an_ellipsis() {
        assert_eq!(widest("Last", ["229.23", "1,234.50"]), 8);
        assert_eq!(widest("Volume", ["1.2M"]), 6);
        assert_eq!(ellipsize("⚠ held 439.07", 20), "⚠ held 439.07");
        assert_eq!(ellipsize("⚠ held 439.07", 8), "⚠ held …");
        assert_eq!(ellipsize("stale: last known", 1), "…");
        assert_eq!(ellipsize("abc", 0), "");
    }
}

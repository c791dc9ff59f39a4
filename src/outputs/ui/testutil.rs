//! Test fixtures for the UI: a deterministic sample snapshot and a renderer that turns
//! the TestBackend buffer into text lines for insta.

use super::state::UiState;
use super::theme::Theme;
use super::view;
use crate::domain::event::{Event, EventKind, Level};
use crate::domain::types::{Source, Symbol, Ts};
use crate::engine::snapshot::{AlpacaView, Counters, Mode, Perf, Snapshot, SymbolView};
use crate::messages::health::ChannelStat;
use crate::messages::LinkState;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use rust_decimal::Decimal;

/// Friday 2024-03-15 10:04:31 in New York.
pub fn sample_now() -> Ts {
    Ts::parse_rfc3339("2024-03-15T14:04:31Z").unwrap()
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// (symbol, price, prev close, source, age ms, volume)
type SampleRow = (
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<Source>,
    Option<i64>,
    i64,
);

/// 12 symbols covering: up, down, flat, sub-dollar, Yahoo source, stale, warn-aged,
/// no price yet, a future timestamp, and no previous close.
pub fn sample_snapshot() -> Snapshot {
    let now = sample_now();
    // (symbol, price, prev close, source, age ms, volume)
    let rows: [SampleRow; 12] = [
        (
            "AAPL",
            Some("171.48"),
            Some("170.20"),
            Some(Source::Alpaca),
            Some(850),
            31_250_400,
        ),
        (
            "MSFT",
            Some("416.42"),
            Some("421.17"),
            Some(Source::Alpaca),
            Some(1_200),
            12_004_100,
        ),
        (
            "NVDA",
            Some("878.37"),
            Some("878.37"),
            Some(Source::Alpaca),
            Some(300),
            45_120_000,
        ),
        (
            "AMZN",
            Some("174.42"),
            Some("173.49"),
            Some(Source::Yahoo),
            Some(12_000),
            8_310,
        ),
        (
            "GOOGL",
            Some("141.18"),
            Some("142.05"),
            Some(Source::Alpaca),
            Some(7_400),
            20_190_000,
        ),
        (
            "META",
            Some("484.10"),
            Some("491.83"),
            Some(Source::Alpaca),
            Some(185_000),
            9_800_500,
        ),
        (
            "TSLA",
            Some("163.57"),
            Some("162.50"),
            Some(Source::Alpaca),
            Some(40),
            80_450_000,
        ),
        (
            "SPY",
            Some("510.17"),
            Some("514.95"),
            Some(Source::Alpaca),
            Some(2),
            61_000_000,
        ),
        (
            "QQQ",
            Some("436.04"),
            None,
            Some(Source::Alpaca),
            Some(999),
            40_000,
        ),
        (
            "MULN",
            Some("0.2315"),
            Some("0.2451"),
            Some(Source::Yahoo),
            Some(61_000),
            1_200_000_000,
        ),
        ("BRK.B", None, Some("411.02"), None, None, 0),
        (
            "AMD",
            Some("191.06"),
            Some("186.50"),
            Some(Source::Alpaca),
            Some(-1_500),
            55_000_000,
        ),
    ];
    let watchlist = rows
        .iter()
        .map(|(sym, price, prev, source, age, volume)| {
            let mut v = SymbolView::new(Symbol::new(sym));
            v.price = price.map(d);
            v.prev_close = prev.map(d);
            v.source = *source;
            v.as_of = age.map(|a| now.plus_millis(-a));
            v.bid = v.price.map(|p| p - d("0.01"));
            v.ask = v.price.map(|p| p + d("0.01"));
            v.volume = *volume;
            v
        })
        .collect();
    let events = vec![
        Event::new(
            now.plus_millis(-600_000),
            Level::Info,
            EventKind::Connection,
            "connected to wss://stream.data.alpaca.markets/v2/iex",
        )
        .with_source(Source::Alpaca),
        Event::new(
            now.plus_millis(-420_000),
            Level::Info,
            EventKind::Subscription,
            "subscribed to 12 symbols (trades, quotes)",
        ),
        Event::new(
            now.plus_millis(-95_000),
            Level::Warn,
            EventKind::Yahoo,
            "no trade for 60s; using Yahoo fallback",
        )
        .with_source(Source::Yahoo)
        .with_symbol(Symbol::new("MULN")),
        Event::new(
            now.plus_millis(-31_000),
            Level::Error,
            EventKind::ParseError,
            "frame 1832: expected a number at `p`",
        )
        .with_source(Source::Alpaca),
    ];
    let start = now.plus_millis(-900_000);
    Snapshot {
        api_base: None,
        latency: Default::default(),
        router: crate::domain::router::Router::new(Default::default(), start).view(now),
        breakers: vec![
            crate::domain::breaker::Breaker::new("yahoo_http", Default::default(), start).view(now),
            crate::domain::breaker::Breaker::new("alpaca_stream", Default::default(), start)
                .view(now),
            crate::domain::breaker::Breaker::new("alpaca_rest", Default::default(), start)
                .view(now),
        ],
        yahoo: Default::default(),
        portfolio: crate::domain::portfolio::compute(
            &Default::default(),
            now,
            &[],
            None,
            &|_| None,
            &|_| None,
        ),
        account: None,
        alerts: Default::default(),
        alert_history: Vec::new(),
        slo: Default::default(),
        memory_used_pct: None,
        notifications: Default::default(),
        rest: Default::default(),
        market_open: true,
        validation: crate::domain::validate::Validator::new(Default::default(), &[]).view(now),
        seq: 42,
        mode: Mode::Demo,
        now,
        started_at: now.plus_millis(-900_000),
        replay: None,
        alpaca: AlpacaView {
            state: LinkState::Subscribed,
            feed: "iex".to_string(),
            last_error: None,
            subscribed_symbols: Vec::new(),
            last_message_at: Some(now.plus_millis(-2)),
            state_since: Some(now.plus_millis(-420_000)),
            consecutive_failures: 0,
            reconnect_attempts: 0,
            next_retry_at: None,
            fatal: None,
        },
        watchlist,
        counters: Counters {
            frames: 120_400,
            messages: 1_234_567,
            parse_errors: 3,
            ..Counters::default()
        },
        channels: vec![
            channel("feed", 4096, 0, 0),
            channel("store", 1024, 7, 0),
            channel("events", 256, 12, 5),
        ],
        events: events.into(),
        perf: Perf::default(),
    }
}

fn channel(name: &'static str, capacity: usize, full: u64, dropped: u64) -> ChannelStat {
    ChannelStat {
        name: name.into(),
        capacity,
        policy: "block".into(),
        full,
        dropped,
    }
}

/// Draws one frame at `width`×`height` and returns the buffer.
pub fn render_buffer(
    snap: &Snapshot,
    ui: &UiState,
    theme: &Theme,
    width: u16,
    height: u16,
) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| view::draw(f, snap, ui, theme)).unwrap();
    terminal.backend().buffer().clone()
}

/// The buffer as text, one line per row, trailing spaces trimmed.
pub fn buffer_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        for x in area.left()..area.right() {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub fn render_text(snap: &Snapshot, ui: &UiState, width: u16, height: u16) -> String {
    buffer_text(&render_buffer(
        snap,
        ui,
        &Theme::embedded_default(),
        width,
        height,
    ))
}

/// The world outside the terminal, recorded: bells rung, text copied, themes asked for.
#[derive(Default)]
pub struct Recorded {
    pub bells: usize,
    pub copied: Vec<String>,
    pub themes: Vec<String>,
}

impl super::Outside for Recorded {
    fn bell(&mut self) {
        self.bells += 1;
    }
    fn copy(&mut self, text: &str) -> std::io::Result<()> {
        self.copied.push(text.to_string());
        Ok(())
    }
    fn theme(&mut self, name: &str) -> Result<Theme, super::ThemeError> {
        self.themes.push(name.to_string());
        let dirs = [std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/themes"
        ))];
        Theme::load(name, &dirs)
    }
}

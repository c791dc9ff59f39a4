//! A session's subscription set as Alpaca keeps it: per-channel symbol lists in
//! request order, `trades` dragging `corrections` and `cancelErrors` along, and the
//! full-set reply text.

/// Stock-stream channels, by their subscribe key.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Channel {
    Trades,
    Quotes,
    Bars,
    UpdatedBars,
    DailyBars,
    Statuses,
    Lulds,
    Corrections,
    CancelErrors,
    Imbalances,
}

impl Channel {
    pub const ALL: [Channel; 10] = [
        Channel::Trades,
        Channel::Quotes,
        Channel::Bars,
        Channel::UpdatedBars,
        Channel::DailyBars,
        Channel::Statuses,
        Channel::Lulds,
        Channel::Corrections,
        Channel::CancelErrors,
        Channel::Imbalances,
    ];

    pub const fn key(self) -> &'static str {
        match self {
            Channel::Trades => "trades",
            Channel::Quotes => "quotes",
            Channel::Bars => "bars",
            Channel::UpdatedBars => "updatedBars",
            Channel::DailyBars => "dailyBars",
            Channel::Statuses => "statuses",
            Channel::Lulds => "lulds",
            Channel::Corrections => "corrections",
            Channel::CancelErrors => "cancelErrors",
            Channel::Imbalances => "imbalances",
        }
    }

    pub fn from_key(key: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.key() == key)
    }

    /// The channel a data message with this `T` arrives on.
    pub fn of_message_type(tag: &str) -> Option<Channel> {
        Some(match tag {
            "t" => Channel::Trades,
            "q" => Channel::Quotes,
            "b" => Channel::Bars,
            "u" => Channel::UpdatedBars,
            "d" => Channel::DailyBars,
            "s" => Channel::Statuses,
            "l" => Channel::Lulds,
            "c" => Channel::Corrections,
            "x" => Channel::CancelErrors,
            "i" => Channel::Imbalances,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubscriptionSet {
    pub trades: Vec<String>,
    pub quotes: Vec<String>,
    pub bars: Vec<String>,
    pub updated_bars: Vec<String>,
    pub daily_bars: Vec<String>,
    pub statuses: Vec<String>,
    pub lulds: Vec<String>,
    pub corrections: Vec<String>,
    pub cancel_errors: Vec<String>,
    pub imbalances: Vec<String>,
}

impl SubscriptionSet {
    pub fn list(&self, ch: Channel) -> &Vec<String> {
        match ch {
            Channel::Trades => &self.trades,
            Channel::Quotes => &self.quotes,
            Channel::Bars => &self.bars,
            Channel::UpdatedBars => &self.updated_bars,
            Channel::DailyBars => &self.daily_bars,
            Channel::Statuses => &self.statuses,
            Channel::Lulds => &self.lulds,
            Channel::Corrections => &self.corrections,
            Channel::CancelErrors => &self.cancel_errors,
            Channel::Imbalances => &self.imbalances,
        }
    }

    fn list_mut(&mut self, ch: Channel) -> &mut Vec<String> {
        match ch {
            Channel::Trades => &mut self.trades,
            Channel::Quotes => &mut self.quotes,
            Channel::Bars => &mut self.bars,
            Channel::UpdatedBars => &mut self.updated_bars,
            Channel::DailyBars => &mut self.daily_bars,
            Channel::Statuses => &mut self.statuses,
            Channel::Lulds => &mut self.lulds,
            Channel::Corrections => &mut self.corrections,
            Channel::CancelErrors => &mut self.cancel_errors,
            Channel::Imbalances => &mut self.imbalances,
        }
    }

    /// Channels a request on `ch` touches: trades also (un)subscribes its
    /// corrections and cancel/errors.
    fn with_implied(ch: Channel) -> &'static [Channel] {
        match ch {
            Channel::Trades => &[Channel::Trades, Channel::Corrections, Channel::CancelErrors],
            Channel::Quotes => &[Channel::Quotes],
            Channel::Bars => &[Channel::Bars],
            Channel::UpdatedBars => &[Channel::UpdatedBars],
            Channel::DailyBars => &[Channel::DailyBars],
            Channel::Statuses => &[Channel::Statuses],
            Channel::Lulds => &[Channel::Lulds],
            Channel::Corrections => &[Channel::Corrections],
            Channel::CancelErrors => &[Channel::CancelErrors],
            Channel::Imbalances => &[Channel::Imbalances],
        }
    }

    pub fn add(&mut self, ch: Channel, symbols: &[String]) {
        for &c in Self::with_implied(ch) {
            let list = self.list_mut(c);
            for s in symbols {
                if !list.contains(s) {
                    list.push(s.clone());
                }
            }
        }
    }

    pub fn remove(&mut self, ch: Channel, symbols: &[String]) {
        for &c in Self::with_implied(ch) {
            self.list_mut(c).retain(|s| !symbols.contains(s));
        }
    }

    /// Whether a message for `symbol` on `ch` reaches this session.
    pub fn covers(&self, ch: Channel, symbol: &str) -> bool {
        self.list(ch).iter().any(|s| s == "*" || s == symbol)
    }

    /// Distinct symbols over trades and quotes: what the plan's symbol limit counts.
    pub fn trade_quote_symbols(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .trades
            .iter()
            .chain(&self.quotes)
            .map(String::as_str)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The full-set reply, keys in the documented order. `imbalances` is not in any
    /// documented reply, so it only appears once something is subscribed on it.
    pub fn reply_frame(&self) -> String {
        let mut out = String::from(r#"[{"T":"subscription""#);
        for ch in Channel::ALL {
            let list = self.list(ch);
            if ch == Channel::Imbalances && list.is_empty() {
                continue;
            }
            let json = serde_json::to_string(list).unwrap_or_else(|_| "[]".to_owned());
            out.push_str(&format!(r#","{}":{json}"#, ch.key()));
        }
        out.push_str("}]");
        out
    }
}

//! A live run's wiring: the Alpaca stream task, the Trading API poller and the Yahoo
//! poller around the engine, with the market calendar deciding when silence is
//! suspicious.

use super::*;

/// Alpaca's market clock as last reported by the Trading API.
pub(crate) type SharedClock =
    Arc<std::sync::RwLock<Option<crate::domain::market::clock::MarketClock>>>;

/// Answers whether the US equity market is open at a time.
pub type MarketOpen = Arc<dyn Fn(Ts) -> bool + Send + Sync>;

/// The NYSE calendar, for live runs.
pub fn market_calendar() -> MarketOpen {
    Arc::new(crate::domain::market::calendar::is_open)
}

/// Spawns the engine and the live Alpaca stream task.
pub fn start_live(
    cfg: StreamConfig,
    mut setup: Setup,
    clock: Arc<dyn Clock>,
    market_open: MarketOpen,
) -> Running {
    let watchlist = setup
        .watchlist
        .take()
        .unwrap_or_else(|| cfg.watchlist.clone());
    let now: Ts = clock.now();
    let mut state = EngineState::new(StateConfig {
        mode: Mode::Live,
        feed: cfg.feed.clone(),
        watchlist,
        started_at: now,
        replay_name: None,
        routing: setup.routing.clone(),
        validation: setup.validation.clone(),
    });
    let fx = state.set_lots(setup.lots.clone(), setup.portfolio.clone());
    setup.early.absorb(fx);
    state.set_api_base(setup.api_base.clone());
    state.set_rest_enabled(setup.rest.is_some());
    if let Some((minutes, alerts)) = setup.history.take() {
        state.load_history(minutes, alerts);
    }
    let (stream_tx, stream_rx) = mpsc::channel(8);
    let client = match setup.yahoo.take().map(|p| {
        let http = HttpClientConfig {
            request_timeout_secs: p.request_timeout_secs,
            ..HttpClientConfig::default()
        };
        (p, build_client(&http))
    }) {
        Some((p, Ok(client))) => Some((p, client)),
        // Without a working fallback the router must not fail over to it: prices go
        // stale and /health says Unhealthy when Alpaca is down too.
        Some((_, Err(e))) => {
            state.set_fallback_unavailable(
                format!("Yahoo fallback disabled: cannot build its HTTP client: {e}"),
                &mut setup.early,
            );
            None
        }
        None => {
            state.set_fallback_unavailable(
                "Yahoo fallback disabled in the config".into(),
                &mut setup.early,
            );
            None
        }
    };
    let (plan_tx, plan_rx) = watch::channel(PollPlan::off());
    let plan_tx = client.is_some().then_some(plan_tx);
    let (rest_hold_tx, rest_hold_rx) = watch::channel(None);
    // Alpaca's /v2/clock, when the Trading API answers, decides market hours for the
    // stream's silence check too; until then (or when stale) the calendar does.
    let market_clock: SharedClock = Arc::new(std::sync::RwLock::new(None));
    let market_open: MarketOpen = {
        let shared = market_clock.clone();
        Arc::new(move |now: Ts| {
            let c = shared.read().ok().and_then(|g| *g);
            match c.filter(|c| c.is_fresh(now)) {
                Some(c) => c.is_open,
                None => market_open(now),
            }
        })
    };
    // Charts start full: today's bars for every symbol, then for each one added.
    let backfill = setup.bars.take().and_then(|cfg| {
        let http = HttpClientConfig {
            request_timeout_secs: cfg.request_timeout_secs,
            ..HttpClientConfig::default()
        };
        match build_client(&http)
            .map_err(|e| e.to_string())
            .and_then(|h| crate::sources::alpaca::bars::BarsClient::new(cfg, h))
        {
            Ok(client) => {
                let (tx, rx) = mpsc::channel(crate::plumbing::channels::BACKFILL_CAPACITY);
                setup.early.backfill = state.watched_symbols();
                setup.backfill_tx = Some(tx);
                Some((client, rx))
            }
            Err(e) => {
                state.config_warning(
                    format!("Charts start empty: no bars backfill: {e}"),
                    &mut setup.early,
                );
                None
            }
        }
    });
    let rest_cfg = setup.rest.take();
    let e = spawn_engine(
        state,
        &mut setup,
        (None, None),
        Some(clock.clone()),
        Some(stream_tx),
        plan_tx,
        rest_cfg.is_some().then_some(rest_hold_tx),
    );
    let conditions = rest_cfg.clone().map(|cfg| {
        conditions::spawn_condition_check(cfg, e.feed_tx.clone(), &setup.meters, e.cancel.clone())
    });
    let rest = rest_cfg.map(|cfg| {
        spawn_rest(
            cfg,
            clock.clone(),
            rest_hold_rx,
            e.feed_tx.clone(),
            &setup.meters,
            e.cancel.clone(),
            market_clock.clone(),
        )
    });
    let poller = client.map(|(pcfg, client)| {
        let mut p = YahooPoller::new(
            pcfg,
            client,
            clock.clone(),
            plan_rx,
            e.feed_tx.clone(),
            setup.meters.feed.clone(),
        );
        if let Some(rec) = setup.recorder.clone() {
            p = p.with_hook(Arc::new(move |r| rec.http(r)));
        }
        tokio::spawn(p.run(e.cancel.clone()))
    });
    let backfill = backfill.map(|(client, rx)| {
        crate::sources::alpaca::bars::spawn(
            client,
            clock.clone(),
            rx,
            e.feed_tx.clone(),
            setup.meters.feed.clone(),
            e.cancel.clone(),
        )
    });
    let task = StreamTask {
        cfg,
        clock,
        feed_tx: e.feed_tx,
        meter: setup.meters.feed.clone(),
        control: stream_rx,
        cancel: e.cancel.clone(),
        market_open,
        recorder: setup.recorder.take(),
        hold_until: None,
    };
    let stream = tokio::spawn(task.run());
    let live = tokio::spawn(async move {
        let _ = stream.await;
        if let Some(p) = poller {
            let _ = p.await;
        }
        if let Some(r) = rest {
            let _ = r.await;
        }
        if let Some(b) = backfill {
            let _ = b.await;
        }
        if let Some(c) = conditions {
            let _ = c.await;
        }
    });
    Running {
        snapshots: e.snapshots,
        commands: e.commands,
        meters: setup.meters,
        cancel: e.cancel,
        engine: e.engine,
        feed: FeedHandle::Live(live),
    }
}

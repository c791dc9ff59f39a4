//! Table tests for the v8 chart parser: every error case and a realistic full body.
use super::*;

const FULL: &str = r#"{"chart":{"result":[{"meta":{"currency":"USD","symbol":"AAPL","exchangeName":"NMS","fullExchangeName":"NasdaqGS","instrumentType":"EQUITY","firstTradeDate":345479400,"regularMarketTime":1794927598,"hasPrePostMarketData":true,"gmtoffset":-18000,"timezone":"EST","exchangeTimezoneName":"America/New_York","regularMarketPrice":228.4512,"fiftyTwoWeekHigh":260.1,"fiftyTwoWeekLow":164.08,"regularMarketDayHigh":229.1,"regularMarketDayLow":227.02,"regularMarketVolume":11963284,"longName":"Apple Inc.","shortName":"Apple Inc.","chartPreviousClose":226.96,"previousClose":226.95,"scale":3,"priceHint":2,"currentTradingPeriod":{"pre":{"timezone":"EST","start":1794906000,"end":1794925800,"gmtoffset":-18000},"regular":{"timezone":"EST","start":1794925800,"end":1794949200,"gmtoffset":-18000},"post":{"timezone":"EST","start":1794949200,"end":1794963600,"gmtoffset":-18000}},"dataGranularity":"1m","range":"1d","validRanges":["1d","5d","1mo","3mo","6mo","1y","2y","5y","10y","ytd","max"]},"timestamp":[1794925800,1794925860,1794925920],"indicators":{"quote":[{"open":[227.5,227.61,null],"high":[227.9,227.8,null],"low":[227.02,227.5,null],"close":[227.6,227.7549,null],"volume":[812345,401234,null]}]}}],"error":null}}"#;

fn body(meta: &str, arrays: &str) -> String {
    format!(
        r#"{{"chart":{{"result":[{{"meta":{{"symbol":"X",{meta}}},"timestamp":[60,120],"indicators":{{"quote":[{{{arrays}}}]}}}}],"error":null}}}}"#
    )
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn full_body() {
    let q = parse_chart(200, FULL).unwrap();
    assert_eq!(q.symbol, "AAPL");
    assert_eq!(q.currency.as_deref(), Some("USD"));
    assert_eq!(q.price, d("228.4512"));
    assert_eq!(q.market_time, Ts::from_secs(1_794_927_598));
    assert_eq!(q.previous_close, Some(d("226.95")));
    assert_eq!(
        q.regular_period,
        Some((Ts::from_secs(1_794_925_800), Ts::from_secs(1_794_949_200)))
    );
    let bar = q.last_bar.unwrap();
    assert_eq!(bar.ts, Ts::from_secs(1_794_925_860));
    assert_eq!(bar.close, d("227.7549"));
    assert_eq!(bar.open, Some(d("227.61")));
    assert_eq!(bar.volume, Some(401_234));
}

// Tables stay one case per line.
#[rustfmt::skip]
#[test]
fn tolerated_inputs() {
    let base = r#""regularMarketPrice":10.5,"regularMarketTime":100"#;
    // (meta extra, arrays, previous_close, last close, last open, last volume)
    type Case<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>, Option<i64>);
    let cases: [Case; 6] = [
        ("", r#""close":[1.5,null]"#, None, Some("1.5"), None, None),
        (r#","chartPreviousClose":9.9"#, r#""close":[1,2],"open":["NaN",null],"volume":[5,"Infinity"]"#, Some("9.9"), Some("2"), None, None),
        (r#","previousClose":null,"chartPreviousClose":9.9"#, r#""close":[1,"-Infinity"],"open":[0.5,1]"#, Some("9.9"), Some("1"), Some("0.5"), None),
        (r#","newField":{"a":[1]},"previousClose":"NaN""#, r#""close":[null,null]"#, None, None, None, None),
        ("", r#""close":[1.5e2,2E-1],"volume":[3,4.0],"newArr":[1]"#, None, Some("0.2"), None, Some(4)),
        (r#","currency":7"#, "", None, None, None, None),
    ];
    for (extra, arrays, prev, close, open, vol) in cases {
        let b = body(&format!("{base}{extra}"), arrays);
        let q = parse_chart(200, &b).unwrap_or_else(|e| panic!("{b}: {e}"));
        assert_eq!(q.price, d("10.5"), "{b}");
        assert_eq!(q.previous_close, prev.map(d), "{b}");
        assert_eq!(q.last_bar.as_ref().map(|l| l.close), close.map(d), "{b}");
        assert_eq!(q.last_bar.as_ref().and_then(|l| l.open), open.map(d), "{b}");
        assert_eq!(q.last_bar.as_ref().and_then(|l| l.volume), vol, "{b}");
    }
}

#[rustfmt::skip]
#[test]
fn errors() {
    let not_found = r#"{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}"#;
    let bad_req = r#"{"chart":{"result":null,"error":{"code":"Bad Request","description":"Invalid input - interval=1m is not supported for range=1y"}}}"#;
    let upstream = || ChartError::Upstream { code: "Bad Request".into(), description: "Invalid input - interval=1m is not supported for range=1y".into() };
    let ok_meta = r#""regularMarketPrice":10.5,"regularMarketTime":100"#;
    let unequal = body(ok_meta, r#""close":[1,2],"open":[1]"#);
    let nan_price = body(r#""regularMarketPrice":"NaN","regularMarketTime":100"#, "");
    let inf_price = body(r#""regularMarketPrice":"Infinity","regularMarketTime":100"#, "");
    let no_price = body(r#""regularMarketTime":100"#, "");
    let no_time = body(r#""regularMarketPrice":1"#, "");
    let cases: Vec<(u16, &str, ChartError)> = vec![
        (200, "", ChartError::Empty),
        (200, " \r\n\t", ChartError::Empty),
        (200, "<!DOCTYPE html><html>consent</html>", ChartError::Html),
        (429, "Too Many Requests\r\n", ChartError::TooManyRequests),
        (429, "", ChartError::TooManyRequests),
        (200, "Too Many Requests", ChartError::TooManyRequests),
        (404, not_found, ChartError::UnknownSymbol { code: "Not Found".into(), description: "No data found, symbol may be delisted".into() }),
        (400, bad_req, upstream()),
        (200, bad_req, upstream()),
        (500, "", ChartError::HttpStatus(500)),
        (503, "<html>down</html>", ChartError::HttpStatus(503)),
        (200, r#"{"chart":{"result":[],"error":null}}"#, ChartError::NoResult),
        (200, r#"{"chart":{"result":null,"error":null}}"#, ChartError::NoResult),
        (200, r#"{"chart":{"result":[{}],"error":null}}"#, ChartError::MissingField("chart.result[0].meta")),
        (200, &no_price, ChartError::MissingField("meta.regularMarketPrice")),
        (200, &no_time, ChartError::MissingField("meta.regularMarketTime")),
        (200, &nan_price, ChartError::NonFinitePrice),
        (200, &inf_price, ChartError::NonFinitePrice),
        (200, &unequal, ChartError::UnequalArrays { timestamps: 2, field: "open", len: 1 }),
    ];
    for (status, b, want) in cases {
        assert_eq!(parse_chart(status, b), Err(want), "status {status} body {b}");
    }
    for b in ["{", "[1,2]", "{\"chart\":5}", "null"] {
        assert!(matches!(parse_chart(200, b), Err(ChartError::NotJson(_))), "{b}");
    }
}

//! Numbers and timestamps for the fast path, from their digits: integers with
//! overflow checks, decimals at the scale their digits give (as `Decimal::from_str`
//! makes them), and RFC 3339 UTC timestamps without a chrono parse for the one form
//! Alpaca sends.

use crate::domain::types::Ts;
use rust_decimal::Decimal;

/// Digits only (JSON's grammar was checked): no sign, fraction or exponent.
pub(super) fn uint(n: &str) -> Option<u64> {
    if n.is_empty() {
        return None;
    }
    n.bytes().try_fold(0u64, |acc, b| {
        let d = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        acc.checked_mul(10)?.checked_add(u64::from(d))
    })
}

pub(super) fn int(n: &str) -> Option<i64> {
    match n.strip_prefix('-') {
        Some(digits) => {
            let v = uint(digits)?;
            if v == 1 << 63 {
                Some(i64::MIN)
            } else {
                i64::try_from(v).ok().map(|v| -v)
            }
        }
        None => i64::try_from(uint(n)?).ok(),
    }
}

/// The number's own digits as a decimal: 504.80 is 50480 at scale 2, as
/// `Decimal::from_str` makes it. Exponents, more than 18 digits and negative zero go
/// to `Decimal::from_str` itself.
pub(super) fn decimal(n: &str) -> Option<Decimal> {
    plain_decimal(n).or_else(|| slow_decimal(n))
}

/// [`decimal`]'s fast half: `-?digits[.digits]` with at most 18 digits and not
/// negative zero, else `None`.
pub(crate) fn plain_decimal(n: &str) -> Option<Decimal> {
    let (neg, body) = match n.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, n),
    };
    let mut mantissa: u64 = 0;
    let (mut digits, mut scale, mut dot) = (0u32, 0u32, false);
    for b in body.bytes() {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                digits += 1;
                scale += u32::from(dot);
            }
            b'.' if !dot && digits > 0 => dot = true,
            _ => return None,
        }
        if digits > 18 {
            return None;
        }
    }
    if digits == 0 || (dot && scale == 0) || (neg && mantissa == 0) {
        return None;
    }
    let signed = if neg {
        -i128::from(mantissa)
    } else {
        i128::from(mantissa)
    };
    Decimal::try_from_i128_with_scale(signed, scale).ok()
}

fn slow_decimal(n: &str) -> Option<Decimal> {
    use std::str::FromStr;
    Decimal::from_str(n)
        .or_else(|_| Decimal::from_scientific(n))
        .ok()
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z` from its digits; any other RFC 3339 form (an
/// offset, a leap second, a lower-case `t`) goes to chrono, as in the general path.
pub(super) fn timestamp(s: &str) -> Option<Ts> {
    fast_timestamp(s).or_else(|| Ts::parse_rfc3339(s))
}

pub(super) fn fast_timestamp(s: &str) -> Option<Ts> {
    let b = s.as_bytes();
    if b.len() < 20 || b.len() > 30 || *b.last()? != b'Z' {
        return None;
    }
    let num = |from: usize, len: usize| -> Option<i64> {
        b.get(from..from + len)?.iter().try_fold(0i64, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
        })
    };
    let seps = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if seps.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1970..=2200).contains(&year)
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut nanos = 0i64;
    let rest = &b[19..b.len() - 1];
    if let Some((&b'.', frac)) = rest.split_first() {
        if frac.is_empty() || frac.len() > 9 || !frac.iter().all(u8::is_ascii_digit) {
            return None;
        }
        for (k, &d) in frac.iter().enumerate() {
            nanos += i64::from(d - b'0') * 10i64.pow(8 - k as u32);
        }
    } else if !rest.is_empty() {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3_600 + minute * 60 + second;
    Some(Ts::from_nanos(secs * 1_000_000_000 + nanos))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

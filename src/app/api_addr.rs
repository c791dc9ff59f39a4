//! The HTTP API's address as a person on this machine reaches it, for the runbook
//! commands the TUI and the alert events quote.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

/// `http://` and the bound address; an unspecified one (`0.0.0.0`, `[::]`) is
/// reached on loopback.
pub fn api_base(local: SocketAddr) -> String {
    let mut addr = local;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            SocketAddr::V4(_) => Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => Ipv6Addr::LOCALHOST.into(),
        });
    }
    format!("http://{addr}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn unspecified_addresses_are_reached_on_loopback() {
        let cases = [
            ("127.0.0.1:5002", "http://127.0.0.1:5002"),
            ("0.0.0.0:7001", "http://127.0.0.1:7001"),
            ("[::]:7001", "http://[::1]:7001"),
            ("10.1.2.3:80", "http://10.1.2.3:80"),
        ];
        for (bound, want) in cases {
            assert_eq!(super::api_base(bound.parse().unwrap()), want);
        }
    }
}

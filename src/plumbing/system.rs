//! What the process can read about itself from the operating system.

/// Resident memory of this process as a percentage of the machine's memory, from
/// /proc (Linux). `None` where /proc is not there or unreadable.
pub fn memory_used_pct() -> Option<f64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let rss_pages: f64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let total_kb: f64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    // Linux pages are 4 KiB on every platform tapewatch targets.
    let rss_kb = rss_pages * 4.0;
    (total_kb > 0.0).then(|| rss_kb * 100.0 / total_kb)
}

#[cfg(test)]
mod tests {
    #[test]
    fn memory_use_is_a_small_percentage_here() {
        if let Some(p) = super::memory_used_pct() {
            assert!(p > 0.0 && p < 50.0, "{p}");
        }
    }
}

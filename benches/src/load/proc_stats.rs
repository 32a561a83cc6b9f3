//! Peak memory and CPU time of a process, from `/proc` (Linux).

/// A sample of a process's resource use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProcStats {
    /// User + system CPU time, microseconds.
    pub cpu_us: u64,
    /// Peak resident set size (`VmHWM`), KiB.
    pub peak_rss_kib: u64,
}

impl ProcStats {
    /// Samples process `pid`; `None` where `/proc` is unavailable.
    pub fn sample(pid: u32) -> Option<Self> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Fields after the command name (which may contain spaces) start after the last ')'.
        let rest = &stat[stat.rfind(')')? + 2..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let utime: u64 = fields.get(11)?.parse().ok()?;
        let stime: u64 = fields.get(12)?.parse().ok()?;
        let ticks = clock_ticks();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let peak_rss_kib = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())?;
        Some(Self {
            cpu_us: (utime + stime) * 1_000_000 / ticks,
            peak_rss_kib,
        })
    }
}

fn clock_ticks() -> u64 {
    // Linux reports CPU times in USER_HZ, 100 on every mainstream configuration.
    100
}

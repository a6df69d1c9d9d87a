//! What the running process has used, read from Linux's `/proc`, for
//! figures on a shared machine where wall time says little.

/// CPU time of the calling thread so far, in seconds
/// (`/proc/thread-self/schedstat`); `None` off Linux.
pub fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(stat.split_whitespace().next()?.parse::<f64>().ok()? / 1e9)
}

/// Peak resident memory of the process in KiB (`VmHWM`); `None` off
/// Linux.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

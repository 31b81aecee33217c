//! When a registry request is worth repeating, and how long to wait.
//!
//! Retried: transport failures (refused mid-run, reset, stalled past the
//! read timeout, truncated answers) and 408, 429, 500, 502, 503, 504, with
//! jittered exponential backoff, `Retry-After` honoured, and one deadline for
//! the whole build. Never retried: other 4xx (400, 403, 404 with their
//! MANIFEST_*/BLOB_UNKNOWN codes) — those fail at once with the registry's
//! code and message. go-containerregistry retries 408/5xx (and lately 429);
//! kaniko and oci-client do not retry pushes at all.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use reqwest::StatusCode;

use super::RegistryError;

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// No retry starts later than this after the clock started.
    pub budget: Duration,
    /// When the first registry was connected: the budget's clock, shared by
    /// every copy of the policy (a plan made early must not eat into it).
    started: Arc<OnceLock<Instant>>,
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl RetryPolicy {
    pub fn new(budget: Duration) -> RetryPolicy {
        RetryPolicy {
            budget,
            started: Arc::default(),
            max_attempts: 8,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(20),
        }
    }

    /// Starts the budget's clock, once: when the first registry is connected.
    pub fn start(&self) -> Instant {
        *self.started.get_or_init(Instant::now)
    }

    /// No retry starts after this instant.
    pub fn deadline(&self) -> Instant {
        self.start() + self.budget
    }

    /// How many attempts `err` may have. Throttling is the registry pacing
    /// its clients (ECR's per-account request rates, shared by every build
    /// of the account): it has no limit, and is waited out until the
    /// deadline instead of given up after a number of attempts.
    pub fn attempt_limit(&self, err: &RegistryError) -> Option<u32> {
        (!throttled(err)).then_some(self.max_attempts)
    }

    /// How long to wait before attempt `next` (2, 3, …), or None when the
    /// error is final or the budget is spent.
    pub fn delay(&self, err: &RegistryError, next: u32) -> Option<Duration> {
        let hinted = retryable(err)?;
        if self.attempt_limit(err).is_some_and(|max| next > max) {
            return None;
        }
        let exp = self.base_delay.saturating_mul(1 << (next - 2).min(16)).min(self.max_delay);
        // Full jitter over the upper half: spreads herds, keeps progress.
        let wait = hinted.unwrap_or_else(|| exp / 2 + exp.mul_f64(jitter() / 2.0));
        (Instant::now() + wait < self.deadline()).then_some(wait)
    }
}

/// Some(Retry-After) when the error may go away on its own.
fn retryable(err: &RegistryError) -> Option<Option<Duration>> {
    match err {
        RegistryError::Unreachable { .. } => Some(None),
        RegistryError::Status { status, retry_after, .. } if retryable_status(*status) => Some(*retry_after),
        _ => None,
    }
}

/// 429 Too Many Requests: the registry's rate limit.
fn throttled(err: &RegistryError) -> bool {
    matches!(err, RegistryError::Status { status, .. } if *status == StatusCode::TOO_MANY_REQUESTS)
}

pub fn retryable_status(s: StatusCode) -> bool {
    matches!(s.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// `Retry-After`: seconds, or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = humantime::parse_rfc3339_weak(v).ok().or_else(|| httpdate(v))?;
    Some(when.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`, the form servers send.
fn httpdate(v: &str) -> Option<SystemTime> {
    let parts: Vec<&str> = v.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = parts.as_slice() else { return None };
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .iter()
        .position(|m| m == month)?
        + 1;
    humantime::parse_rfc3339(&format!("{year}-{month:02}-{:02}T{time}Z", day.parse::<u32>().ok()?)).ok()
}

/// A number in [0, 1) that differs between calls and processes; jitter
/// needs spread, not cryptographic quality.
fn jitter() -> f64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static STATE: AtomicU64 = AtomicU64::new(0);
    let seed = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64)
        ^ u64::from(std::process::id()).rotate_left(32);
    let mut x = STATE.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed) ^ seed;
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::Method;

    fn status(code: u16, retry_after: Option<Duration>) -> RegistryError {
        RegistryError::Status {
            registry: "r".into(),
            method: Method::PUT,
            what: "x".into(),
            status: StatusCode::from_u16(code).unwrap(),
            code: None,
            message: None,
            retry_after,
        }
    }

    #[test]
    fn only_transient_failures_are_retried() {
        let p = RetryPolicy::new(Duration::from_secs(60));
        for code in [408, 429, 500, 502, 503, 504] {
            assert!(p.delay(&status(code, None), 2).is_some(), "{code}");
        }
        for code in [400, 401, 403, 404, 405, 416] {
            assert!(p.delay(&status(code, None), 2).is_none(), "{code}");
        }
        assert!(p.delay(&RegistryError::Unreachable { registry: "r".into(), detail: "reset".into() }, 2).is_some());
        assert!(p.delay(&status(503, None), p.max_attempts + 1).is_none(), "attempts are bounded");
        // Throttling is waited out until the deadline, whatever the count.
        assert!(p.delay(&status(429, None), p.max_attempts + 5).is_some(), "429 past max_attempts");
    }

    #[test]
    fn retry_after_is_honoured_and_the_deadline_wins() {
        let p = RetryPolicy::new(Duration::from_secs(60));
        assert_eq!(p.delay(&status(429, Some(Duration::from_secs(3))), 2), Some(Duration::from_secs(3)));
        assert_eq!(p.delay(&status(429, Some(Duration::from_secs(120))), 2), None, "past the deadline");
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn the_deadline_counts_from_the_first_connection_not_from_the_plan() {
        let p = RetryPolicy::new(Duration::from_millis(300));
        let copy = p.clone();
        // Planning took longer than the whole budget: no retry time is lost.
        std::thread::sleep(Duration::from_millis(400));
        let started = copy.start();
        assert!(p.deadline() >= started + Duration::from_millis(300), "copies share one clock");
        assert!(p.delay(&status(503, Some(Duration::from_millis(10))), 2).is_some());
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::new(Duration::from_secs(600));
        let d2 = p.delay(&status(503, None), 2).unwrap();
        let d6 = p.delay(&status(503, None), 6).unwrap();
        assert!(d2 >= Duration::from_millis(100) && d2 <= Duration::from_millis(200), "{d2:?}");
        assert!(d6 >= Duration::from_millis(1600) && d6 <= Duration::from_millis(3200), "{d6:?}");
        assert!(p.delay(&status(503, None), 8).unwrap() <= p.max_delay);
    }
}

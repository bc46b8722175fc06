//! Pure state: a map of timestamps behind a mutex, no I/O, so every layer may hold one.
//! A sliding-window limit per key (login links per address and client, reports per client
//! and reporter address), so an endpoint cannot be used to flood someone's inbox or to try
//! addresses in bulk. The same answer (429) comes whether or not an address is known. Kept in
//! memory: with several instances each counts on its own, so the effective limit is the
//! limit × instances.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

pub struct RateLimiter {
    window: Duration,
    seen: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

impl RateLimiter {
    pub fn new(window: Duration) -> RateLimiter {
        RateLimiter {
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Records one request for every key, if each is under its limit; otherwise records
    /// nothing and says how long until a place frees up.
    pub fn check(&self, keys: &[(String, usize)], now: DateTime<Utc>) -> Result<(), Duration> {
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let start = now - self.window;
        // Forget windows that are over, so memory stays bounded by recent traffic.
        seen.retain(|_, times| {
            while times.front().is_some_and(|t| *t <= start) {
                times.pop_front();
            }
            !times.is_empty()
        });
        let mut wait = None;
        for (key, limit) in keys {
            if let Some(times) = seen.get(key) {
                if times.len() >= *limit {
                    let until = times[times.len() - limit] + self.window - now;
                    wait = Some(wait.map_or(until, |w: Duration| w.max(until)));
                }
            }
        }
        if let Some(wait) = wait {
            return Err(wait);
        }
        for (key, _) in keys {
            seen.entry(key.clone()).or_default().push_back(now);
        }
        Ok(())
    }

    /// Forgets every key that starts with `prefix` (a count that should start afresh).
    pub fn forget_prefix(&self, prefix: &str) {
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|key, _| !key.starts_with(prefix));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_each_key_within_the_window() {
        let limiter = RateLimiter::new(Duration::minutes(15));
        let t0: DateTime<Utc> = "2026-11-26T08:00:00Z".parse().unwrap();
        let a = vec![("email:a".to_owned(), 2), ("ip:1".to_owned(), 2)];
        let b = vec![("email:b".to_owned(), 2), ("ip:1".to_owned(), 2)];
        assert!(limiter.check(&a, t0).is_ok());
        assert!(limiter.check(&a, t0 + Duration::minutes(1)).is_ok());
        let wait = limiter.check(&a, t0 + Duration::minutes(2)).unwrap_err();
        assert_eq!(wait, Duration::minutes(13));
        // The address is also at its limit of two.
        assert!(limiter.check(&b, t0 + Duration::minutes(2)).is_err());
        assert!(limiter.check(&a, t0 + Duration::minutes(16)).is_ok());
    }

    #[test]
    fn forgetting_a_prefix_starts_those_keys_afresh() {
        let limiter = RateLimiter::new(Duration::minutes(15));
        let t0: DateTime<Utc> = "2026-11-26T08:00:00Z".parse().unwrap();
        let a = vec![("login:a|1".to_owned(), 1)];
        let b = vec![("login:b|1".to_owned(), 1)];
        assert!(limiter.check(&a, t0).is_ok() && limiter.check(&b, t0).is_ok());
        limiter.forget_prefix("login:a|");
        assert!(limiter.check(&a, t0).is_ok());
        assert!(limiter.check(&b, t0).is_err());
    }
}

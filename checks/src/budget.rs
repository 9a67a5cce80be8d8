//! A page's CPU budget. Some documents cost time out of proportion to their size (a 500 KB page of
//! 100,000 nested `<div>`s makes the HTML parser's scope searches quadratic); such a page becomes an
//! error entry of kind `too_complex` instead of holding a worker for an hour.
//!
//! The budget counts the CPU time of the thread doing the work, not wall time, so that a busy machine
//! (a batch on two cores) does not turn ordinary pages into errors.

use std::time::Duration;

/// The work a page was doing when its budget ran out.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the page is too complex to check: {stage} was still running after {seconds:.1} s of CPU time")]
pub struct TooComplex {
    pub stage: &'static str,
    pub seconds: f64,
    /// Set when the page had more elements than a page may have (`parse::MAX_ELEMENTS`), not more
    /// CPU time.
    pub elements: Option<usize>,
}

/// CPU time allowed from the moment the budget is made.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    started: Duration,
    limit: Option<Duration>,
}

impl Budget {
    pub fn new(limit: Duration) -> Budget {
        Budget { started: thread_cpu_time(), limit: Some(limit) }
    }

    /// For tests and tools that build trusted pages.
    pub fn unlimited() -> Budget {
        Budget { started: Duration::ZERO, limit: None }
    }

    pub fn spent(&self) -> Duration {
        thread_cpu_time().saturating_sub(self.started)
    }

    /// `Err` once the thread has used more CPU time than allowed since the budget was made.
    pub fn check(&self, stage: &'static str) -> Result<(), TooComplex> {
        let Some(limit) = self.limit else { return Ok(()) };
        let spent = self.spent();
        if spent > limit {
            Err(TooComplex { stage, seconds: spent.as_secs_f64(), elements: None })
        } else {
            Ok(())
        }
    }
}

/// CPU time used by the calling thread (wall time where the platform cannot say).
fn thread_cpu_time() -> Duration {
    cpu_time::ThreadTime::try_now().map(|t| t.as_duration()).unwrap_or_else(|_| wall_time())
}

/// Time since the first call in this process: the fallback where thread CPU time is not available.
fn wall_time() -> Duration {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_runs_out_with_cpu_time_not_with_sleep() {
        let budget = Budget::new(Duration::from_millis(50));
        std::thread::sleep(Duration::from_millis(120));
        assert!(budget.check("sleeping").is_ok(), "sleeping costs no CPU time");
        let mut x = 0u64;
        while budget.check("spinning").is_ok() {
            x = x.wrapping_add(std::hint::black_box(1));
        }
        let error = budget.check("spinning").expect_err("spent");
        assert!(error.seconds >= 0.05 && x > 0);
        assert!(Budget::unlimited().check("anything").is_ok());
    }
}

//! Overlapping waits (`sleep`, `fetch`, `load`): waits taken at once
//! cost about the longest, not the sum; a server answers every connection.

use crate::support::verdict::{Holds, Verdict};

/// `sleep`: tasks sleeping at once finish in about the longest sleep, not
/// the sum. All in milliseconds.
pub fn sleeps_overlap(took_ms: f64, sleeps_ms: &[f64]) -> Verdict {
    let longest = sleeps_ms.iter().copied().fold(0.0, f64::max);
    let sum: f64 = sleeps_ms.iter().sum();
    let limit = longest + (sum - longest) / 2.0;
    let criterion = format!(
        "longest ({longest:.0} ms) <= total < longest + half the rest ({limit:.0} ms), against {sum:.0} ms one after the other; \
         a total more than 1 ms under the longest sleep is a measurement error"
    );
    let holds = if sleeps_ms.len() < 2 {
        Holds::NotRun("one sleep has nothing to overlap with".into())
    } else if took_ms + 1.0 < longest {
        Holds::MeasurementError(format!(
            "finished in {took_ms:.1} ms, before its longest sleep"
        ))
    } else if took_ms < limit {
        Holds::Yes
    } else {
        Holds::No
    };
    Verdict::new(
        "tasks sleeping at the same time finish in about the longest sleep, not the sum",
        criterion,
        holds,
        format!("{took_ms:.1} ms in all"),
    )
}

/// What one model's client of `demo fetch` measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fetched {
    /// Wall time of all the requests, ms.
    pub wall_ms: f64,
    /// Requests answered 200.
    pub ok: usize,
    /// Requests that failed.
    pub errors: usize,
}

/// `fetch`: `requests` network-bound requests, `concurrency` at a time, to
/// a server taking `latency_ms` each, overlap their waits.
pub fn requests_overlap(
    m: Fetched,
    requests: usize,
    concurrency: usize,
    latency_ms: f64,
) -> Verdict {
    let serial = requests as f64 * latency_ms;
    let floor = requests.div_ceil(concurrency.max(1)) as f64 * latency_ms;
    let criterion = format!(
        "every request answered (0 errors) and wall < half of one-at-a-time ({:.0} ms of {serial:.0} ms); \
         a wall under ceil(N/C) x latency ({floor:.0} ms, each request waits the whole latency) less 1 ms is a measurement error",
        serial / 2.0
    );
    let holds = if m.wall_ms + 1.0 < floor {
        Holds::MeasurementError(format!(
            "{:.0} ms is less than {floor:.0} ms of unavoidable waits",
            m.wall_ms
        ))
    } else if m.errors == 0 && m.ok == requests && m.wall_ms < serial / 2.0 {
        Holds::Yes
    } else {
        Holds::No
    };
    Verdict::new(
        "network-bound requests overlap their waits: wall ~ ceil(N/C) x latency, not N x latency",
        criterion,
        holds,
        format!(
            "{:.0} ms, {} of {requests} answered, {} errors",
            m.wall_ms, m.ok, m.errors
        ),
    )
}

/// `load`: a server kept `connections` keep-alive connections busy, each
/// answered every request. `fewest` is the fewest requests any one
/// connection had answered.
pub fn load_served(connections: usize, requests: u64, errors: u64, fewest: u64) -> Verdict {
    Verdict::new(
        format!("the server serves {connections} keep-alive connections at once"),
        "0 errors (every response 200, no connection broken) and every connection had >= 1 request answered",
        if errors == 0 && fewest >= 1 && requests > 0 {
            Holds::Yes
        } else {
            Holds::No
        },
        format!("{requests} requests, {errors} errors, the least served connection had {fewest}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::claims::testing::is_error;

    #[test]
    fn sleeps_overlap_both_sides() {
        let sleeps = [2000.0, 1000.0];
        assert_eq!(sleeps_overlap(2003.0, &sleeps).holds, Holds::Yes);
        assert_eq!(sleeps_overlap(2499.0, &sleeps).holds, Holds::Yes);
        assert_eq!(sleeps_overlap(2500.0, &sleeps).holds, Holds::No);
        assert_eq!(sleeps_overlap(3001.0, &sleeps).holds, Holds::No);
        assert!(is_error(&sleeps_overlap(1500.0, &sleeps)));
        assert!(matches!(
            sleeps_overlap(2000.0, &[2000.0]).holds,
            Holds::NotRun(_)
        ));
    }

    #[test]
    fn requests_overlap_both_sides() {
        let m = |wall_ms, ok, errors| Fetched {
            wall_ms,
            ok,
            errors,
        };
        // 40 requests, 10 at a time, 20 ms: floor 80 ms, serial 800 ms.
        assert_eq!(
            requests_overlap(m(95.0, 40, 0), 40, 10, 20.0).holds,
            Holds::Yes
        );
        assert_eq!(
            requests_overlap(m(500.0, 40, 0), 40, 10, 20.0).holds,
            Holds::No
        );
        assert_eq!(
            requests_overlap(m(95.0, 39, 1), 40, 10, 20.0).holds,
            Holds::No
        );
        assert!(is_error(&requests_overlap(m(50.0, 40, 0), 40, 10, 20.0)));
    }

    #[test]
    fn load_served_both_sides() {
        assert_eq!(load_served(5, 1000, 0, 150).holds, Holds::Yes);
        assert_eq!(load_served(5, 1000, 1, 150).holds, Holds::No);
        assert_eq!(
            load_served(5, 1000, 0, 0).holds,
            Holds::No,
            "a starved connection"
        );
        assert_eq!(load_served(5, 0, 0, 0).holds, Holds::No);
    }
}

//! Many connections at once (`c10k`, `files`): what each costs on each
//! model, and a semaphore keeping a client under its descriptor limit.

use crate::support::verdict::{Holds, Verdict};

/// One model's side of `demo c10k`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Held {
    /// Connections asked for.
    pub connections: usize,
    /// Connections held (greeted by the server).
    pub held: usize,
    /// Threads of the server process.
    pub threads: usize,
    /// RSS growth per connection, bytes.
    pub rss_per_conn: f64,
    /// Address-space growth per connection, bytes.
    pub vm_per_conn: f64,
}

/// `c10k`: the loop holds every connection on one thread; a thread per
/// connection costs a stack each.
pub fn c10k(loop_side: Option<Held>, threads: Option<Held>) -> Verdict {
    let criterion = "loop: every connection held, on 1 thread; threads: a thread per connection held, >= 1 MiB of address space \
                     (a stack) per connection and more RSS per connection than the loop; a negative growth is a measurement error";
    let claim = "seed 000/001: asyncio scales to many connections, threads cost a stack each";
    let (Some(l), Some(t)) = (loop_side, threads) else {
        return super::not_run_without_both(claim, criterion);
    };
    let detail = format!(
        "loop: {} of {} connections on {} thread(s), {:.0} B RSS each; threads: {} connections on {} threads, {:.0} B RSS and {:.0} KiB of address space each ({:.1}x the loop's RSS)",
        l.held,
        l.connections,
        l.threads,
        l.rss_per_conn,
        t.held,
        t.threads,
        t.rss_per_conn,
        t.vm_per_conn / 1024.0,
        t.rss_per_conn / l.rss_per_conn.max(1.0)
    );
    let holds = if [l.rss_per_conn, t.rss_per_conn, t.vm_per_conn]
        .iter()
        .any(|&x| x < 0.0)
    {
        Holds::MeasurementError("memory shrank while connections were added".into())
    } else if l.held == l.connections
        && l.threads == 1
        && t.threads >= t.held
        && t.vm_per_conn >= 1024.0 * 1024.0
        && t.rss_per_conn > l.rss_per_conn
    {
        Holds::Yes
    } else {
        Holds::No
    };
    Verdict::new(claim, criterion, holds, detail)
}

/// One part-2 run of `demo files`.
#[derive(Clone, Debug, PartialEq)]
pub struct Opened {
    /// Which model ("loop", "threads").
    pub model: &'static str,
    /// The semaphore's permits, or `None` for the run without one.
    pub permits: Option<usize>,
    /// Connections that succeeded.
    pub succeeded: usize,
    /// Connections that failed with EMFILE, and otherwise.
    pub emfile: usize,
    pub other: usize,
    /// Most connections open at once.
    pub peak_open: usize,
}

/// `files`: a semaphore bounds the connections open at once and prevents
/// descriptor exhaustion (EMFILE).
pub fn semaphore_prevents_emfile(runs: &[Opened], connections: usize) -> Verdict {
    let criterion = "without a semaphore: >= 1 EMFILE failure on every model (the limit was hit); with Semaphore(K): \
                     every connection succeeded, no failure, at most K open at once";
    let claim = "seed 001: a semaphore bounds concurrent opens and prevents fd exhaustion";
    let unbounded: Vec<&Opened> = runs.iter().filter(|r| r.permits.is_none()).collect();
    let bounded: Vec<&Opened> = runs.iter().filter(|r| r.permits.is_some()).collect();
    let without: Vec<String> = unbounded
        .iter()
        .map(|r| format!("{} {}/{connections}", r.model, r.emfile))
        .collect();
    let with: Vec<String> = bounded
        .iter()
        .map(|r| format!("{} {}/{connections}", r.model, r.succeeded))
        .collect();
    let detail = format!(
        "EMFILE failures without a semaphore: {}; succeeded with one: {}",
        without.join(", "),
        with.join(", ")
    );
    let exhausted = unbounded.iter().all(|r| r.emfile > 0);
    let protected = bounded.iter().all(|r| {
        r.emfile == 0
            && r.other == 0
            && r.succeeded == connections
            && r.peak_open <= r.permits.unwrap_or(0)
    });
    let holds = if bounded.is_empty() || unbounded.is_empty() {
        Holds::NotRun("no run".into())
    } else if exhausted && protected {
        Holds::Yes
    } else {
        Holds::No
    };
    let detail = if protected && !exhausted {
        format!("{detail} (the limit was never hit: raise --connections above --limit)")
    } else {
        detail
    };
    Verdict::new(claim, criterion, holds, detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::claims::testing::is_error;

    #[test]
    fn c10k_both_sides() {
        let l = Held {
            connections: 1000,
            held: 1000,
            threads: 1,
            rss_per_conn: 300.0,
            vm_per_conn: 100.0,
        };
        let t = Held {
            connections: 1000,
            held: 1000,
            threads: 1001,
            rss_per_conn: 10_000.0,
            vm_per_conn: 2.0 * 1024.0 * 1024.0,
        };
        assert_eq!(c10k(Some(l), Some(t)).holds, Holds::Yes);
        assert_eq!(
            c10k(Some(Held { threads: 3, ..l }), Some(t)).holds,
            Holds::No
        );
        assert_eq!(
            c10k(
                Some(l),
                Some(Held {
                    vm_per_conn: 8192.0,
                    ..t
                })
            )
            .holds,
            Holds::No
        );
        assert!(is_error(&c10k(
            Some(Held {
                rss_per_conn: -1.0,
                ..l
            }),
            Some(t)
        )));
        assert!(matches!(c10k(Some(l), None).holds, Holds::NotRun(_)));
    }

    #[test]
    fn semaphore_prevents_emfile_both_sides() {
        let run = |permits, succeeded, emfile, peak_open| Opened {
            model: "loop",
            permits,
            succeeded,
            emfile,
            other: 0,
            peak_open,
        };
        let good = [run(None, 50, 150, 60), run(Some(16), 200, 0, 16)];
        assert_eq!(semaphore_prevents_emfile(&good, 200).holds, Holds::Yes);
        let never_hit = [run(None, 200, 0, 200), run(Some(16), 200, 0, 16)];
        let v = semaphore_prevents_emfile(&never_hit, 200);
        assert_eq!(v.holds, Holds::No);
        assert!(v.detail.contains("never hit"), "{v:?}");
        let leaked = [run(None, 50, 150, 60), run(Some(16), 190, 10, 16)];
        assert_eq!(semaphore_prevents_emfile(&leaked, 200).holds, Holds::No);
        let overfull = [run(None, 50, 150, 60), run(Some(16), 200, 0, 17)];
        assert_eq!(semaphore_prevents_emfile(&overfull, 200).holds, Holds::No);
    }
}

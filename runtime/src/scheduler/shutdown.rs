//! Dropping a runtime: every task's future is dropped on the loop's thread
//! (their destructors may deregister timers and sockets, drop
//! `JoinHandle`s or even spawn), the trace is written and the blocking pool
//! let go.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::Scheduler;

impl Scheduler {
    /// Drops every task (the `Runtime` is being dropped): their futures'
    /// destructors run now. The caller has made this scheduler current, so
    /// that they can deregister timers and sockets.
    pub(crate) fn shutdown(&self) {
        self.id.unregister();
        if self.config.report_pending_on_drop {
            self.report_pending();
        }
        self.driver.close(self);
        // Dropping a task can drop JoinHandles or spawn (from a destructor):
        // go round until the table stays empty, with a bound against a
        // destructor that spawns forever.
        for _ in 0..64 {
            let held = self.tasks.borrow_mut().drain();
            if held.is_empty() {
                break;
            }
            for slot in held {
                if catch_unwind(AssertUnwindSafe(|| drop(slot))).is_err() {
                    eprintln!(
                        "runtime: a task's destructor panicked while the runtime was dropped"
                    );
                }
            }
        }
        self.queue.clear();
        if let Some(trace) = self.tracer()
            && let Err(e) = trace.borrow().write()
        {
            eprintln!("runtime: cannot write the trace: {e}");
        }
        // Queued blocking jobs are dropped, running ones detached (see
        // `blocking/pool.rs`): never wait for a job that may never end.
        self.driver.shutdown_pool();
    }
}

//! Inspection: task dumps, traces, seeded scheduling.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use runtime::inspect::{DumpState, WaitReason};
use runtime::time::sleep;
use runtime::{Runtime, spawn, yield_now};

fn temp_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("runtime-test-{}-{name}", std::process::id()))
}

#[test]
fn dump_lists_each_live_task_with_state_site_polls_and_wait() {
    let rt = Runtime::builder().paused_clock(true).build().unwrap();
    rt.block_on(async {
        let (sleeper, sleeper_line) = (spawn(sleep(Duration::from_secs(60))), line!());
        let joiner = spawn(async move { sleeper.await.unwrap() });
        let ready = spawn(async {});
        yield_now().await;
        let dump = runtime::inspect::dump();
        // `ready` has finished, but its handle is alive, so its output waits.
        assert_eq!(dump.tasks.len(), 3, "{dump}");
        assert_eq!(dump.tasks[2].state, DumpState::Finished);
        drop(ready);
        let sleeper_info = &dump.tasks[0];
        assert_eq!(sleeper_info.state, DumpState::Waiting);
        assert_eq!(sleeper_info.polls, 1);
        assert_eq!(sleeper_info.spawned_at.line(), sleeper_line);
        assert!(sleeper_info.spawned_at.file().ends_with("inspect.rs"));
        assert!(matches!(
            sleeper_info.waiting_on,
            WaitReason::Timer { remaining } if remaining == Duration::from_secs(60)
        ));
        assert!(
            matches!(dump.tasks[1].waiting_on, WaitReason::Join { task } if task == sleeper_info.id)
        );
        let text = dump.to_string();
        assert!(
            text.contains(&format!("inspect.rs:{sleeper_line}")),
            "{text}"
        );
        assert!(text.contains("timer (fires in"), "{text}");
        joiner.abort();
    });
    // From outside block_on, through the Runtime.
    let dump = rt.dump();
    assert!(
        dump.tasks
            .iter()
            .any(|t| t.state == DumpState::Runnable || t.state == DumpState::Waiting)
    );
}

#[runtime::test]
async fn dump_shows_finished_tasks_until_joined() {
    let h = spawn(async { 1 });
    yield_now().await;
    let dump = runtime::inspect::dump();
    assert_eq!(dump.tasks.len(), 1);
    assert_eq!(dump.tasks[0].state, DumpState::Finished);
    h.await.unwrap();
    assert!(runtime::inspect::dump().tasks.is_empty());
}

#[test]
#[should_panic(expected = "outside a runtime")]
fn dump_outside_a_runtime_panics() {
    let _ = runtime::inspect::dump();
}

/// Runs a small program with tracing on and returns the parsed trace.
fn traced(seed: Option<u64>, name: &str) -> serde_json::Value {
    let path = temp_path(name);
    {
        let mut builder = Runtime::builder().paused_clock(true).trace(&path);
        if let Some(seed) = seed {
            builder = builder.seed(seed);
        }
        let rt = builder.build().unwrap();
        rt.block_on(async {
            let handles: Vec<_> = (0..6u64)
                .map(|i| {
                    spawn(async move {
                        for _ in 0..3 {
                            yield_now().await;
                        }
                        sleep(Duration::from_millis(10 * (i % 3))).await;
                    })
                })
                .collect();
            for h in handles {
                h.await.unwrap();
            }
        });
    }
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).ok();
    serde_json::from_str(&text).expect("the trace is valid JSON")
}

fn events(trace: &serde_json::Value) -> &Vec<serde_json::Value> {
    trace["traceEvents"].as_array().unwrap()
}

/// The sequence of (task id) of poll slices, in order.
fn poll_order(trace: &serde_json::Value) -> Vec<u64> {
    events(trace)
        .iter()
        .filter(|e| e["name"] == "poll")
        .map(|e| e["tid"].as_u64().unwrap())
        .collect()
}

#[test]
fn trace_has_task_tracks_reactor_track_and_flow_arrows() {
    let trace = traced(None, "flows.json");
    let evs = events(&trace);
    let names: Vec<&str> = evs
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
        .map(|e| e["args"]["name"].as_str().unwrap())
        .collect();
    assert!(names.iter().any(|n| n.starts_with("reactor")), "{names:?}");
    assert_eq!(
        names.iter().filter(|n| n.starts_with("task ")).count(),
        6,
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .all(|n| !n.starts_with("task ") || n.contains("inspect.rs:"))
    );
    // Every flow start has its finish on the woken task's track, at a poll.
    let starts: Vec<u64> = evs
        .iter()
        .filter(|e| e["ph"] == "s")
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    let finishes: Vec<u64> = evs
        .iter()
        .filter(|e| e["ph"] == "f")
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    assert!(!starts.is_empty());
    for id in &finishes {
        assert!(starts.contains(id), "flow {id} finishes without a start");
    }
    // Timer wakes come from the reactor track.
    assert!(
        evs.iter()
            .any(|e| e["ph"] == "i" && e["args"]["source"] == "timer" && e["tid"] == 0)
    );
    assert!(evs.iter().any(|e| e["name"] == "epoll_wait"));
    assert_eq!(trace["otherData"]["dropped_events"], 0);
}

/// The trace's times are honest whatever clock it used (rdtsc converted at
/// write time, or `CLOCK_MONOTONIC`; `otherData.clock` says which): on each
/// track the polls follow one another without overlapping, every wake
/// arrow points forward in time to a poll of the woken task that starts at
/// its finish, and the recorded span fits inside the wall time the program
/// took.
#[test]
fn trace_times_are_monotonic_and_flows_point_forward() {
    let started = std::time::Instant::now();
    let trace = traced(None, "times.json");
    let took_us = started.elapsed().as_secs_f64() * 1e6;
    let clock = trace["otherData"]["clock"].as_str().unwrap_or("");
    assert!(
        clock.starts_with("rdtsc") || clock.starts_with("CLOCK_MONOTONIC"),
        "otherData.clock: {clock:?}"
    );
    let evs = events(&trace);
    let ts = |e: &serde_json::Value| e["ts"].as_f64().unwrap();
    // Per track, poll slices in recording order start after the previous
    // one ended.
    let mut last_end: std::collections::HashMap<u64, f64> = Default::default();
    for e in evs.iter().filter(|e| e["name"] == "poll") {
        let tid = e["tid"].as_u64().unwrap();
        let (start, dur) = (ts(e), e["dur"].as_f64().unwrap());
        assert!(dur > 0.0, "{e}");
        if let Some(&end) = last_end.get(&tid) {
            assert!(start >= end - 0.0015, "poll at {start} before {end}: {e}");
        }
        last_end.insert(tid, start + dur);
        assert!(
            start + dur <= took_us,
            "poll ends at {} µs of {took_us}: {e}",
            start + dur
        );
    }
    // Every flow: start, then finish at or after it, on a poll slice that
    // starts exactly there.
    let mut flows = 0;
    for s in evs.iter().filter(|e| e["ph"] == "s") {
        let id = &s["id"];
        let Some(f) = evs.iter().find(|e| e["ph"] == "f" && &e["id"] == id) else {
            continue; // a wake whose task was never polled again
        };
        flows += 1;
        assert!(ts(f) >= ts(s), "flow {id} goes back in time: {s} -> {f}");
        assert!(
            evs.iter()
                .any(|p| p["name"] == "poll" && p["tid"] == f["tid"] && ts(p) == ts(f)),
            "flow {id} ends on no poll: {f}"
        );
    }
    assert!(flows >= 6, "only {flows} flows");
}

#[test]
fn same_seed_same_poll_order_and_different_seed_different_order() {
    let a = poll_order(&traced(Some(42), "seed-a.json"));
    let b = poll_order(&traced(Some(42), "seed-b.json"));
    assert_eq!(a, b, "the same seed must replay the same order");
    let fifo = poll_order(&traced(None, "fifo.json"));
    let others: Vec<Vec<u64>> = (1..6)
        .map(|s| poll_order(&traced(Some(s), &format!("seed-{s}.json"))))
        .collect();
    assert!(
        others.iter().any(|o| *o != a),
        "seeds should change the order"
    );
    assert!(
        others.iter().chain([&a]).any(|o| *o != fifo),
        "a seed should differ from FIFO"
    );
}

#[test]
fn a_seed_replays_a_race() {
    // Two tasks race to write; the winner depends on scheduling order only.
    let winner = |seed: u64| {
        let rt = Runtime::builder().seed(seed).build().unwrap();
        let slot = Rc::new(RefCell::new(Vec::new()));
        rt.block_on({
            let slot = slot.clone();
            async move {
                let hs: Vec<_> = ["a", "b", "c"]
                    .into_iter()
                    .map(|name| {
                        let slot = slot.clone();
                        spawn(async move {
                            yield_now().await;
                            slot.borrow_mut().push(name);
                        })
                    })
                    .collect();
                for h in hs {
                    h.await.unwrap();
                }
            }
        });
        slot.borrow().clone()
    };
    for seed in 0..20 {
        assert_eq!(winner(seed), winner(seed), "seed {seed} must replay");
    }
    let orders: std::collections::HashSet<Vec<&str>> = (0..20).map(winner).collect();
    assert!(orders.len() > 1, "looping seeds explores other orders");
}

#[test]
fn dump_names_sync_io_and_blocking_waits() {
    use runtime::sync::{Event, Mutex, Semaphore, mpsc};
    let rt = Runtime::builder().paused_clock(true).build().unwrap();
    rt.block_on(async {
        let sem = std::rc::Rc::new(Semaphore::new(0));
        let event = std::rc::Rc::new(Event::new());
        let mutex = std::rc::Rc::new(Mutex::new(()));
        let guard = mutex.lock().await;
        let (_tx, mut rx) = mpsc::channel::<u8>(1);
        let listener = runtime::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let (gate_tx, gate_rx) = std::sync::mpsc::channel::<()>();
        let handles = vec![
            spawn({
                let sem = sem.clone();
                async move { drop(sem.acquire().await) }
            }),
            spawn({
                let event = event.clone();
                async move { event.wait().await }
            }),
            spawn({
                let mutex = mutex.clone();
                async move { drop(mutex.lock().await) }
            }),
            spawn(async move {
                let _ = rx.recv().await;
            }),
            spawn(async move {
                let _ = listener.accept().await;
            }),
            spawn(async move {
                let _ = runtime::spawn_blocking(move || gate_rx.recv()).await;
            }),
        ];
        for _ in 0..3 {
            yield_now().await;
        }
        let text = runtime::inspect::dump().to_string();
        for reason in [
            "semaphore permit",
            "event",
            "mutex",
            "channel recv",
            "blocking-pool job",
        ] {
            // The reason ends the line, or is followed by its await site.
            assert!(
                text.contains(&format!("waits on: {reason}\n"))
                    || text.contains(&format!("waits on: {reason} at ")),
                "{reason} missing:\n{text}"
            );
        }
        assert!(
            text.lines().any(|l| l.contains("waits on: fd ")
                && (l.ends_with(" readable") || l.contains(" readable at "))),
            "the accept's fd missing:\n{text}"
        );
        gate_tx.send(()).unwrap();
        drop(guard);
        for h in &handles {
            h.abort();
        }
    });
}

/// The task ids of a trace's task tracks by the line of their spawn site
/// (`task 3 tests/inspect.rs:412:20` names track 3).
fn tracks_by_line(trace: &serde_json::Value) -> Vec<(u64, u32)> {
    events(trace)
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
        .filter_map(|e| {
            let name = e["args"]["name"].as_str()?;
            let rest = name.strip_prefix("task ")?;
            let (id, site) = rest.split_once(' ')?;
            let line = site.split(':').nth(1)?.parse().ok()?;
            Some((id.parse().ok()?, line))
        })
        .collect()
}

/// Every wake in a trace says what caused it, and says it truly: a timer
/// fires on the reactor track (`timer`), a task that wakes another while it
/// runs or as it completes is that task (`task`, on its track: a `JoinHandle`
/// woken when the joined task returns, a oneshot sent into), and only a wake
/// that crossed from another thread through the eventfd is `other thread
/// (eventfd)` (here the pool thread of a `spawn_blocking` job).
///
/// Fails today: the wake of a `JoinHandle` at task completion is recorded
/// outside the completed task's poll, where the executor's "who is waking"
/// cell still holds its initial value, `Source::Remote`, so it is labelled
/// `other thread (eventfd)` (issue #14: the last wake of `demo sleep --model
/// loop --trace`).
#[test]
fn trace_labels_each_wake_with_what_caused_it() {
    let path = temp_path("sources.json");
    let lines = {
        let rt = Runtime::builder()
            .paused_clock(true)
            .trace(&path)
            .build()
            .unwrap();
        rt.block_on(async {
            let (sleeper, sleeper_line) = (spawn(sleep(Duration::from_millis(10))), line!());
            let (joiner, joiner_line) = (spawn(async move { sleeper.await.unwrap() }), line!());
            let (tx, rx) = runtime::sync::oneshot::channel::<u32>();
            let (receiver, receiver_line) = (spawn(async move { rx.await.unwrap() }), line!());
            let send = async move {
                yield_now().await;
                tx.send(7).unwrap();
            };
            let (sender, sender_line) = (spawn(send), line!());
            // `spawn_blocking` spawns a task of its own, which the pool's
            // thread wakes when the job is done. The job waits until that
            // task has been polled once (the next task, polled after it,
            // lets the job go): a job that finished first would let its
            // task complete at its first poll, with no wake to label (seen
            // under valgrind, which runs one thread at a time).
            let (release, released) = std::sync::mpsc::channel::<()>();
            let job = move || {
                let _ = released.recv();
                5
            };
            let (job, job_line) = (runtime::spawn_blocking(job), line!());
            let offloaded = async move {
                release.send(()).unwrap();
                job.await.unwrap()
            };
            let (offloaded, offloaded_line) = (spawn(offloaded), line!());
            joiner.await.unwrap();
            assert_eq!(receiver.await.unwrap(), 7);
            sender.await.unwrap();
            assert_eq!(offloaded.await.unwrap(), 5);
            [
                sleeper_line,
                joiner_line,
                receiver_line,
                sender_line,
                job_line,
                offloaded_line,
            ]
        })
    };
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).ok();
    let trace: serde_json::Value = serde_json::from_str(&text).expect("the trace is valid JSON");
    let tracks = tracks_by_line(&trace);
    let id = |line: u32| {
        tracks
            .iter()
            .find(|(_, l)| *l == line)
            .map(|(id, _)| *id)
            .unwrap_or_else(|| panic!("no task track spawned at line {line}: {tracks:?}"))
    };
    let [sleeper, joiner, receiver, sender, job, offloaded] = lines.map(id);
    // The wakes of each task: (source label, track the wake is drawn on).
    let wakes = |task: u64| -> Vec<(String, u64)> {
        events(&trace)
            .iter()
            .filter(|e| e["ph"] == "i" && e["name"] == format!("wake task {task}"))
            .map(|e| {
                (
                    e["args"]["source"].as_str().unwrap_or("?").to_string(),
                    e["tid"].as_u64().unwrap_or(u64::MAX),
                )
            })
            .collect()
    };
    let timer = ("timer".to_string(), 0);
    let task = |id: u64| ("task".to_string(), id);
    let remote = ("other thread (eventfd)".to_string(), 0);
    assert_eq!(wakes(sleeper), [timer], "the sleeper's timer");
    assert_eq!(
        wakes(joiner),
        [task(sleeper)],
        "the joiner, by the sleeper's return"
    );
    assert_eq!(
        wakes(receiver),
        [task(sender)],
        "the receiver, by the sender's send"
    );
    assert_eq!(wakes(job), [remote], "the pool thread, at the job's end");
    assert_eq!(
        wakes(offloaded),
        [task(job)],
        "the job's task, by its return"
    );
    // The block_on future (id 1) awaits each handle in turn: every wake it
    // gets comes from a task finishing, never from another thread.
    let main = wakes(1);
    assert!(!main.is_empty(), "the block_on future was woken");
    for (label, track) in &main {
        assert_eq!(
            label, "task",
            "block_on woken by {label} on track {track}: {main:?}"
        );
        assert!(
            [joiner, receiver, sender, offloaded].contains(track),
            "block_on woken from track {track}: {main:?}"
        );
    }
}

/// Issue #19: a waiting task's await site (the source location that made
/// the leaf future it waits on) is in the dump, beside its spawn site, and
/// in the deadlock report.
#[test]
fn a_dump_shows_where_each_task_is_suspended() {
    let rt = runtime::Runtime::builder()
        .paused_clock(true)
        .build()
        .unwrap();
    rt.block_on(async {
        let sleep_line = line!() + 2;
        let task = runtime::spawn(async {
            runtime::time::sleep(std::time::Duration::from_secs(5)).await;
        });
        runtime::yield_now().await;
        let dump = runtime::inspect::dump();
        let sleeper = dump.tasks.iter().find(|t| t.id == task.id()).unwrap();
        let at = sleeper
            .awaiting_at
            .expect("a sleep records where it was made");
        assert_eq!((at.file(), at.line()), (file!(), sleep_line));
        let text = dump.to_string();
        assert!(
            text.contains(&format!(
                "waits on: timer (fires in 5.000s) at {}:{sleep_line}:",
                file!()
            )),
            "{text}"
        );
        task.abort();
    });
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async {
            let event = runtime::sync::Event::new();
            let waiting = runtime::spawn(async {
                runtime::time::sleep(std::time::Duration::MAX).await;
            });
            runtime::yield_now().await;
            drop(waiting);
            event.wait().await;
        })
    }))
    .expect_err("a deadlock");
    let msg = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        msg.contains(&format!("waiting on timer (never fires) at {}:", file!())),
        "{msg}"
    );
}

/// Issue #19: the sync primitives and the sockets record where the task
/// waits too: each task below is suspended on the line that made its leaf
/// future (`#[track_caller]` on `acquire`, `wait`, `lock`, `recv`, `send`,
/// `reserve`, `read`, `accept`, `recv_from`, UDP's `recv` and `peek_from`,
/// ...), and the dump says so.
#[test]
fn sync_and_socket_waits_show_their_await_site() {
    use runtime::net::{TcpListener, TcpStream, UdpSocket, UnixStream};
    use runtime::sync::{Event, Mutex, Semaphore, mpsc};
    use std::rc::Rc;
    let rt = Runtime::builder().paused_clock(true).build().unwrap();
    rt.block_on(async {
        let sem = Rc::new(Semaphore::new(0));
        let event = Rc::new(Event::new());
        let mutex = Rc::new(Mutex::new(()));
        let guard = mutex.lock().await;
        let (_tx, mut rx) = mpsc::channel::<u8>(1);
        let (tx, _full_rx) = mpsc::channel::<u8>(1);
        tx.send(0).await.unwrap(); // full: the next send waits
        let full_tx = tx.clone();
        let (_utx, mut urx) = mpsc::unbounded_channel::<u8>();
        let (_keep, mut many) = mpsc::channel::<u8>(1);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let other = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(other.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = other.accept().await.unwrap();
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        let udp_peer = UdpSocket::bind("127.0.0.1:0").unwrap();
        udp_peer.connect(udp.local_addr().unwrap()).unwrap();
        let udp_peeker = UdpSocket::bind("127.0.0.1:0").unwrap();
        let (mut unix, _unix_peer) = UnixStream::pair().unwrap();
        let (s, e, m) = (sem.clone(), event.clone(), mutex.clone());
        // (task, the call it waits in, found by text below, what it waits on)
        let mut expect: Vec<(runtime::JoinHandle<()>, &str, &str)> = Vec::new();
        expect.push((
            spawn(async move {
                let _ = s.acquire().await;
            }),
            "s.acquire(",
            "semaphore permit",
        ));
        expect.push((spawn(async move { e.wait().await }), "e.wait(", "event"));
        expect.push((
            spawn(async move {
                let _ = m.lock().await;
            }),
            "m.lock(",
            "mutex",
        ));
        expect.push((
            spawn(async move {
                let _ = rx.recv().await;
            }),
            "rx.recv(",
            "channel recv",
        ));
        expect.push((
            spawn(async move {
                let _ = urx.recv().await;
            }),
            "urx.recv(",
            "channel recv",
        ));
        let mut buf = Vec::new();
        expect.push((
            spawn(async move {
                let _ = many.recv_many(&mut buf, 4).await;
            }),
            "many.recv_many(",
            "channel recv",
        ));
        expect.push((
            spawn(async move {
                let _ = full_tx.send(1).await;
            }),
            "full_tx.send(",
            "channel send",
        ));
        expect.push((
            spawn(async move {
                let _ = tx.reserve().await;
            }),
            "tx.reserve(",
            "channel send",
        ));
        expect.push((
            spawn(async move {
                let _ = listener.accept().await;
            }),
            "listener.accept(",
            "readable",
        ));
        expect.push((
            spawn(async move {
                let _ = client.read(&mut [0; 8]).await;
            }),
            "client.read(",
            "readable",
        ));
        expect.push((
            spawn(async move {
                let _ = udp.recv_from(&mut [0; 8]).await;
            }),
            "udp.recv_from(",
            "readable",
        ));
        expect.push((
            spawn(async move {
                let _ = udp_peer.recv(&mut [0; 8]).await;
            }),
            "udp_peer.recv(",
            "readable",
        ));
        expect.push((
            spawn(async move {
                let _ = udp_peeker.peek_from(&mut [0; 8]).await;
            }),
            "udp_peeker.peek_from(",
            "readable",
        ));
        expect.push((
            spawn(async move {
                let _ = unix.read(&mut [0; 8]).await;
            }),
            "unix.read(",
            "readable",
        ));
        let never = spawn(std::future::pending::<()>());
        expect.push((
            spawn(async move {
                let _ = never.await;
            }),
            "never.await",
            "join of task",
        ));
        let (_otx, orx) = runtime::sync::oneshot::channel::<u8>();
        expect.push((
            spawn(async move {
                let _ = orx.await;
            }),
            "orx.await",
            "channel recv",
        ));
        for _ in 0..3 {
            yield_now().await;
        }
        let dump = runtime::inspect::dump();
        let text = dump.to_string();
        let source = include_str!("inspect.rs");
        for (handle, call, reason) in &expect {
            // Searched from this test's start (earlier tests make the same calls).
            let start = source
                .lines()
                .position(|l| l.contains("fn sync_and_socket_waits_show_their_await_site"))
                .expect("this test");
            let line = source
                .lines()
                .skip(start)
                .position(|l| {
                    l.contains(&format!("let _ = {call}")) || l.contains(&format!("{{ {call}"))
                })
                .map(|i| (start + i) as u32 + 1)
                .unwrap_or_else(|| panic!("{call} not in this file"));
            let task = dump
                .tasks
                .iter()
                .find(|t| t.id == handle.id())
                .unwrap_or_else(|| panic!("task {} missing:\n{text}", handle.id()));
            assert_eq!(task.state, DumpState::Waiting, "line {line}:\n{text}");
            assert!(
                task.waiting_on.to_string().contains(reason),
                "line {line}: waits on {}, not {reason}:\n{text}",
                task.waiting_on
            );
            let at = task
                .awaiting_at
                .unwrap_or_else(|| panic!("line {line}: no await site:\n{text}"));
            assert_eq!((at.file(), at.line()), (file!(), line), "{call}:\n{text}");
        }
        drop((guard, server));
        for (handle, _, _) in &expect {
            handle.abort();
        }
    });
}

/// The line in this file, from the start of the function `test` on, that
/// contains `fragment` (the await sites below are found by their text, so
/// that moving a line cannot make the test pass by accident).
fn line_in_test(test: &str, fragment: &str) -> u32 {
    let source = include_str!("inspect.rs");
    let start = source
        .lines()
        .position(|l| l.contains(&format!("fn {test}()")))
        .unwrap_or_else(|| panic!("no fn {test} in this file"));
    source
        .lines()
        .skip(start)
        .position(|l| l.contains(fragment))
        .map(|i| (start + i) as u32 + 1)
        .unwrap_or_else(|| panic!("{fragment:?} not in fn {test}"))
}

/// Issue #19, the rest of the leaf futures: time (`interval.tick`,
/// `sleep_until`, `timeout`, `send_timeout`), a write to a full socket, a
/// `connect` whose SYN the listener drops, `spawn_blocking` (the job and
/// the task awaiting it) and an `fs` call on the blocking pool. Each task
/// is suspended at the line of its call, and the dump says so.
#[test]
fn time_write_connect_and_blocking_waits_show_their_await_site() {
    use runtime::net::{TcpSocket, TcpStream, UnixStream};
    use runtime::sync::mpsc;
    use runtime::time::{Instant, interval, sleep_until, timeout};
    const TEST: &str = "time_write_connect_and_blocking_waits_show_their_await_site";
    let scratch = integration_tests::tools::Scratch::new("runtime-inspect-await-sites");
    let fifo = scratch.path().join("fifo");
    let c_fifo = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: `c_fifo` is a NUL-terminated path that outlives the call.
    assert_eq!(unsafe { libc::mkfifo(c_fifo.as_ptr(), 0o600) }, 0, "mkfifo");
    let rt = Runtime::builder().paused_clock(true).build().unwrap();
    rt.block_on(async {
        // (task, the text of the line it waits at, what it waits on)
        let mut expect: Vec<(u64, &str, &str)> = Vec::new();
        let mut handles: Vec<runtime::JoinHandle<()>> = Vec::new();
        let mut push = |handle: runtime::JoinHandle<()>, at: &'static str, on: &'static str| {
            expect.push((handle.id(), at, on));
            handles.push(handle);
        };

        let mut every = interval(Duration::from_secs(60));
        push(
            spawn(async move {
                every.tick().await; // the first tick completes at once
                let _ = every.tick().await;
            }),
            "let _ = every.tick()",
            "timer",
        );
        push(
            spawn(async move {
                let _ = sleep_until(Instant::now() + Duration::from_secs(60)).await;
            }),
            "let _ = sleep_until(",
            "timer",
        );
        push(
            spawn(async move {
                let _ = timeout(Duration::from_secs(60), std::future::pending::<()>()).await;
            }),
            "let _ = timeout(",
            "timer",
        );
        let (stx, _srx) = mpsc::channel::<u8>(1);
        stx.send(0).await.unwrap(); // full: the next send waits
        push(
            spawn(async move {
                // Waits for room (its timer only ends the wait): shown as
                // a channel send, not as the timer it polled last.
                let _ = stx.send_timeout(1, Duration::from_secs(60)).await;
            }),
            "let _ = stx.send_timeout(",
            "channel send",
        );
        // More than any socket buffer (a Unix socket's is ~200 KiB): the
        // write fills it and waits for room the peer never makes.
        let (mut writer, _silent_peer) = UnixStream::pair().unwrap();
        push(
            spawn(async move {
                let _ = writer.write_all(&vec![0u8; 8 << 20]).await;
            }),
            "let _ = writer.write_all(",
            "writable",
        );
        // A listener with a backlog of 0 holds one connection nobody
        // accepts; with its queue full, Linux drops the next SYN, so that
        // connect(2) stays in progress (the client retries for minutes).
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = socket.listen(0).unwrap();
        let addr = listener.local_addr().unwrap();
        let _queued = TcpStream::connect(addr).await.unwrap();
        push(
            spawn(async move {
                let _ = TcpStream::connect(addr).await;
            }),
            "let _ = TcpStream::connect(addr)",
            "writable",
        );
        // A blocking job held until the end, and the task awaiting it.
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let job = runtime::spawn_blocking(move || {
            let _ = hold.recv();
        });
        let job_id = job.id();
        push(
            spawn(async move {
                let _ = job.await;
            }),
            "let _ = job.await",
            "join of task",
        );
        // open(2) of a FIFO blocks (on a pool thread) until a writer opens it.
        let path = fifo.clone();
        push(
            spawn(async move {
                let _ = runtime::fs::read(&path).await;
            }),
            "let _ = runtime::fs::read(",
            "blocking-pool job",
        );
        expect.push((
            job_id,
            "let job = runtime::spawn_blocking(",
            "blocking-pool job",
        ));

        for _ in 0..3 {
            yield_now().await;
        }
        let dump = runtime::inspect::dump();
        let text = dump.to_string();
        for (id, at, reason) in &expect {
            let line = line_in_test(TEST, at);
            let task = dump
                .tasks
                .iter()
                .find(|t| t.id == *id)
                .unwrap_or_else(|| panic!("task {id} missing:\n{text}"));
            assert_eq!(task.state, DumpState::Waiting, "line {line}:\n{text}");
            assert!(
                task.waiting_on.to_string().contains(reason),
                "line {line}: waits on {}, not {reason}:\n{text}",
                task.waiting_on
            );
            let site = task
                .awaiting_at
                .unwrap_or_else(|| panic!("line {line}: no await site:\n{text}"));
            assert_eq!((site.file(), site.line()), (file!(), line), "{at}:\n{text}");
        }

        // Let the pool threads go: the held job, and the FIFO's reader
        // (opening the write end meets it; closing it is its EOF).
        let _ = release.send(());
        drop(std::fs::OpenOptions::new().write(true).open(&fifo).unwrap());
        for handle in &handles {
            handle.abort();
        }
        drop(listener);
    });
}

//! The debugger story, tested: gdb in batch mode stops `gdb-target` inside a
//! task, and both `call runtime::runtime_dump_tasks()` (the process prints
//! its dump; also through the script's `async-dump`) and `info async-tasks`
//! (runtime/gdb/runtime_gdb.py reads memory) name the spawn sites of the
//! live tasks. And every binary that links the runtime exports
//! `runtime_dump_tasks`, whether or not it calls it.
//!
//! gdb missing fails these tests with the install command, unless
//! `RUNTIME_TEST_SKIP_TOOLS` lists `gdb` (README, "Run the tests").

use std::path::{Path, PathBuf};
use std::process::Command;

use integration_tests::tools::{
    Scratch, check_a_missing_tool_fails_unless_skipped, debug_binaries, defined_symbols, line_of,
    require_tool, target_dir,
};

/// The purpose-built target, relative to the workspace root.
const TARGET: &str = "tests/gdb_target.rs";

fn gdb_installed() -> bool {
    require_tool("gdb", "--version", "apt-get install -y gdb")
}

/// gdb -batch on `binary` with `commands`; stdout and stderr together (the
/// inferior's own stderr, where `runtime_dump_tasks` prints, included).
fn gdb_batch(binary: &Path, commands: &[&str]) -> String {
    let mut gdb = Command::new("gdb");
    gdb.args(["-batch", "-nx"]);
    for c in commands {
        gdb.args(["-ex", c]);
    }
    let output = gdb.arg(binary).output().expect("gdb runs");
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn gdb_shows_live_tasks_with_their_spawn_sites() {
    if !gdb_installed() {
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime/gdb/runtime_gdb.py");
    let text = gdb_batch(
        Path::new(env!("CARGO_BIN_EXE_gdb-target")),
        &[
            &format!("source {}", script.display()),
            "break gdb_breakpoint_here",
            "run",
            "info async-tasks",
            // The script's shorthand, then the call by hand in gdb's default
            // (Rust) language mode, then in C mode: three dumps.
            "async-dump",
            "call runtime::runtime_dump_tasks()",
            "set language c",
            "call runtime_dump_tasks()",
            "kill",
        ],
    );
    // `info async-tasks` lines come from the script (gdb's stdout); the
    // process's own dump (`runtime_dump_tasks`, once per call) goes to the
    // inferior's stderr and carries "last poll".
    let script_lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("spawned at") && !l.contains("last poll"))
        .collect();
    let process_lines: Vec<&str> = text.lines().filter(|l| l.contains("last poll")).collect();
    // The tasks of gdb_target.rs, by spawn line (found by their text).
    for needle in [
        "let sleeper = runtime::spawn(",
        "let joiner = runtime::spawn(",
        "let worker = runtime::spawn(",
    ] {
        let site = format!("gdb_target.rs:{}:", line_of(TARGET, needle));
        assert_eq!(
            script_lines.iter().filter(|l| l.contains(&site)).count(),
            1,
            "info async-tasks lacks {site}:\n{text}"
        );
        assert_eq!(
            process_lines.iter().filter(|l| l.contains(&site)).count(),
            3,
            "each runtime_dump_tasks call should print {site}:\n{text}"
        );
    }
    let info = script_lines.join("\n");
    assert!(info.contains("timer (fires in 30000 ms)"), "{info}");
    assert!(
        info.contains("semaphore permit at tests/gdb_target.rs:"),
        "{info}"
    );
    assert!(info.contains("join of task"), "{info}");
    assert!(info.contains("running"), "{info}");
    assert!(
        process_lines.iter().any(|l| l.contains("waits on: timer")),
        "{text}"
    );
    assert!(!text.contains("No symbol"), "{text}");
}

/// `runtime_dump_tasks` is in every binary that links the runtime, though
/// none of these calls it (the demo, an example, `gdb-target`, and this test
/// binary, of another crate that depends on `runtime` by path). Without the
/// `#[used]` static in runtime/src/lib.rs the linker drops it from all four.
/// The release demo (`target/release/demo`, what README's `cargo run
/// --release -p demos` runs) is checked too when it has been built: this
/// test does not build it (a release build takes minutes), so without it
/// only the debug binaries are checked.
#[test]
fn every_binary_linking_the_runtime_exports_runtime_dump_tasks() {
    let debug = debug_binaries();
    let mut binaries: Vec<PathBuf> = vec![
        debug.join("demo"),
        debug.join("examples/wakeup"),
        PathBuf::from(env!("CARGO_BIN_EXE_gdb-target")),
        std::env::current_exe().expect("this test binary"),
    ];
    let release_demo = target_dir().join("release/demo");
    if release_demo.is_file() {
        binaries.push(release_demo);
    } else {
        eprintln!(
            "{} is not built: only the debug binaries are checked",
            release_demo.display()
        );
    }
    // This binary links the runtime: make sure it does (a test binary that
    // used nothing of it would not link it at all).
    assert!(runtime::Runtime::new().is_ok());
    for binary in &binaries {
        let symbols = defined_symbols(binary);
        // This test builds the debug binaries, not the release demo: it
        // may be older than the source.
        let hint = if binary.ends_with("release/demo") {
            " (or it is older than the source: `cargo build --release -p demos`)"
        } else {
            ""
        };
        for wanted in ["runtime_dump_tasks", "RUNTIME_DEBUG_HEAD"] {
            assert!(
                symbols.iter().any(|s| s == wanted),
                "{} does not define {wanted}: gdb cannot reach it there{hint}",
                binary.display()
            );
        }
    }
}

/// In a binary that never mentions it (the demo), the documented call works
/// in gdb's default language mode while the loop waits in `epoll_wait`.
#[test]
fn runtime_dump_tasks_is_callable_from_gdb_in_the_demo() {
    if !gdb_installed() {
        return;
    }
    let demo = debug_binaries().join("demo");
    let demo_args = "sleep --model loop --sleeps 200,100";
    let text = gdb_batch(
        &demo,
        &[
            &format!("set args {demo_args}"),
            "break runtime::driver::reactor::Reactor::turn",
            "run",
            "show language",
            "call runtime::runtime_dump_tasks()",
            "kill",
        ],
    );
    assert!(text.contains("currently rust"), "{text}");
    assert!(text.contains("2 live tasks"), "{text}");
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("spawned at demos/src/cmd/sleep.rs:") && l.contains("timer"))
            .count(),
        2,
        "{text}"
    );
}

/// The first test, run again in a child process that cannot find gdb (empty
/// `PATH`): it fails with the install command, or passes with
/// `RUNTIME_TEST_SKIP_TOOLS=gdb`.
#[test]
fn without_gdb_the_test_fails_unless_skipped() {
    check_a_missing_tool_fails_unless_skipped(
        "gdb_shows_live_tasks_with_their_spawn_sites",
        "gdb",
        "strace,gdb",
    );
}

fn script_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime/gdb/runtime_gdb.py")
}

/// `file:line:` of the first line of the target holding `needle`.
fn target_site(needle: &str) -> String {
    format!("gdb_target.rs:{}:", line_of(TARGET, needle))
}

/// Issue #19: where each task waits and how it got there, from the script
/// alone (memory reads), on the live target: the await sites, the three
/// framed async fns of the worker, `async-where`'s waker count and queue
/// flags, the run queue in order with the pending remote wake, the timers
/// with their tasks, and the threads of the thread model.
#[test]
fn gdb_commands_show_await_sites_frames_queues_and_timers() {
    if !gdb_installed() {
        return;
    }
    let text = gdb_batch(
        Path::new(env!("CARGO_BIN_EXE_gdb-target")),
        &[
            &format!("source {}", script_path().display()),
            "break gdb_breakpoint_here",
            "run",
            "info async-tasks",
            "echo ==where\\n",
            "async-where 4",
            "echo ==queue\\n",
            "async-queue",
            "echo ==timers\\n",
            "async-timers",
            "echo ==threads\\n",
            "info threaded-tasks",
            "echo ==end\\n",
            "kill",
        ],
    );
    let section = |name: &str| -> String {
        let start = text
            .find(&format!("=={name}\n"))
            .unwrap_or_else(|| panic!("no {name} section:\n{text}"));
        let rest = &text[start..];
        rest[..rest[3..].find("\n==").map_or(rest.len(), |e| e + 4)].to_string()
    };
    let acquire = target_site("semaphore.acquire().await");
    // info async-tasks: the worker's await site and its frames, outermost first.
    let worker = format!("waits on: semaphore permit at tests/{acquire}");
    assert!(text.contains(&worker), "{worker}:\n{text}");
    let frames: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with('#') && l.contains(" at tests/gdb_target.rs:"))
        .collect();
    for (depth, (name, needle)) in [
        ("handler", "framed(\"handler\""),
        ("route", "framed(\"route\""),
        ("query", "framed(\"query\""),
    ]
    .into_iter()
    .enumerate()
    {
        let want = format!("#{depth} {name} at tests/{}", target_site(needle));
        assert!(
            frames.iter().any(|l| l.trim_start().starts_with(&want)),
            "{want}:\n{text}"
        );
    }
    let timeout = target_site("runtime::time::timeout(");
    assert!(
        text.contains(&format!(
            "waits on: timer (fires in 60000 ms) at tests/{timeout}"
        )),
        "{text}"
    );
    let where_ = section("where");
    for want in [
        "task 4: waiting, polled 1 time",
        "waits on:  semaphore permit",
        &format!("suspended at tests/{acquire}"),
        "#0 handler at",
        "#2 query at",
        "waker: 2 references (the task table's and 1 waker)",
        "run queue: not queued",
        "cross-thread queue: not queued",
        "join handle: alive",
    ] {
        assert!(
            where_.contains(want),
            "async-where lacks {want:?}:\n{where_}"
        );
    }
    let queue = section("queue");
    let ready = target_site("let ready = runtime::spawn(");
    let stopper = target_site("let stopper = runtime::spawn(");
    assert!(
        queue.contains(&format!("1. task 7 (runnable, spawned at tests/{ready}")),
        "{queue}"
    );
    assert!(queue.contains("remote wakes: 1 pending"), "{queue}");
    assert!(
        queue.contains(&format!("task 6 (running, spawned at tests/{stopper}")),
        "{queue}"
    );
    let timers = section("timers");
    let lines: Vec<&str> = timers.lines().filter(|l| l.contains("wakes")).collect();
    assert_eq!(lines.len(), 2, "{timers}");
    assert!(
        lines[0].contains("at 30000 ms (in 30000 ms)") && lines[0].contains("wakes task 2 "),
        "{timers}"
    );
    assert!(
        lines[1].contains("at 60000 ms (in 60000 ms)") && lines[1].contains("wakes task 5 "),
        "{timers}"
    );
    let threads = section("threads");
    assert!(threads.contains("4 threaded tasks"), "{threads}");
    for what in ["semaphore", "join", "sleep", "I/O"] {
        assert!(
            threads.contains(&format!("blocked on {what} for ")),
            "{what}:\n{threads}"
        );
    }
    assert!(!text.contains("Python Exception"), "{text}");
}

/// The pretty-printers name the task a `JoinHandle` or a `Waker` stands
/// for, and a `Semaphore`'s permits and waiters; `async-break 4` stops at
/// task 4's next poll, skipping the polls of every other task.
#[test]
fn gdb_pretty_printers_and_async_break() {
    if !gdb_installed() {
        return;
    }
    let text = gdb_batch(
        Path::new(env!("CARGO_BIN_EXE_gdb-target")),
        &[
            &format!("source {}", script_path().display()),
            "break gdb_target::gdb_values_here",
            "run",
            "print *handle",
            "print *waker",
            "print *semaphore",
            "async-break 4",
            "continue",
            "print task.id",
            "async-where 4",
            "kill",
        ],
    );
    let joiner = target_site("let joiner = runtime::spawn(");
    let stopper = target_site("let stopper = runtime::spawn(");
    for want in [
        format!("= JoinHandle(task 3: waiting, spawned at tests/{joiner}"),
        // The join's await site: the `.await` on the joiner's line.
        format!("waits on: join of task 2 at tests/{joiner}"),
        format!("= Waker(task 6 (running, spawned at tests/{stopper}"),
        "= Semaphore(0 permits free, 1 waiting: task 4 (lacks 1))".to_string(),
        "stops when task 4 is next polled".to_string(),
        "runtime::scheduler::Scheduler::run_task".to_string(),
        "= 4".to_string(),
        // Polled now because the stopping task added a permit: stopped
        // with its future taken out of the table, this poll counted.
        "task 4: running, polled 2 times".to_string(),
    ] {
        assert!(text.contains(&want), "{want:?}:\n{text}");
    }
    assert!(!text.contains("Python Exception"), "{text}");
}

/// A core dump of a deadlocked program (runtime/examples/deadlock.rs: two
/// tasks each holding one mutex and waiting for the other's, aborted by a
/// watchdog) read back in a fresh gdb: both tasks wait on a mutex, at the
/// same line, the second lock of `transfer`.
#[test]
fn a_core_dump_of_a_deadlock_lists_what_each_task_waits_on() {
    if !gdb_installed() {
        return;
    }
    // Holds the core file; removed on every path (a failed assertion too).
    let scratch = Scratch::new("runtime-gdb-core");
    let example = debug_binaries().join("examples/deadlock");
    let core = scratch.path().join("deadlock.core");
    let made = gdb_batch(
        &example,
        &["run", &format!("generate-core-file {}", core.display())],
    );
    assert!(made.contains("Saved corefile"), "{made}");
    let mut gdb = Command::new("gdb");
    gdb.args(["-batch", "-nx"])
        .args(["-ex", &format!("source {}", script_path().display())])
        .args(["-ex", "info async-tasks"])
        .arg(&example)
        .arg(&core);
    let out = gdb.output().expect("gdb runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let second_lock = line_of("runtime/examples/deadlock.rs", "let mut target = to.lock()");
    let waiting: Vec<&str> = text
        .lines()
        .filter(|l| {
            l.contains(&format!(
                "waits on: mutex at runtime/examples/deadlock.rs:{second_lock}:"
            ))
        })
        .collect();
    assert_eq!(waiting.len(), 2, "both transfers wait on a mutex:\n{text}");
    assert!(text.contains("2 live tasks"), "{text}");
}

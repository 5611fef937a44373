//! `demo files --quick --json`: every file read back exactly on both
//! models; under a client fd limit of 64, 200 connections at once fail
//! with EMFILE without a semaphore and all succeed with `Semaphore(16)`,
//! on both models. (Counts, not timings, are asserted.)

mod common;

#[test]
fn semaphore_prevents_emfile_and_every_file_reads_back() {
    let out = common::demo_ok(&["files", "--quick", "--json"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value = serde_json::from_str(&text).expect("stdout is JSON");
    let files = json["files"].as_u64().expect("files");
    let connections = json["connections"].as_u64().expect("connections");
    assert!(
        connections > json["limit"].as_u64().expect("limit"),
        "{text}"
    );
    for model in ["event_loop", "threads"] {
        let read = &json["read"][model];
        assert_eq!(read["read_ok"].as_u64(), Some(files), "{model}: {text}");
        assert_eq!(read["failed"], 0, "{model}: {text}");
        assert!(read["threads_used"].as_u64().unwrap_or(0) >= 1, "{text}");
    }
    let rows = json["connect"].as_array().expect("connect rows");
    assert_eq!(rows.len(), 4, "{text}");
    for model in ["loop", "threads"] {
        let row = |bounded: bool| {
            rows.iter()
                .find(|r| r["model"] == model && r["permits"].is_null() != bounded)
                .unwrap_or_else(|| panic!("no {model} row (semaphore: {bounded}): {text}"))
        };
        let unbounded = row(false);
        assert!(unbounded["emfile"].as_u64().unwrap_or(0) > 0, "{text}");
        assert!(
            unbounded["emfile_example"]
                .as_str()
                .unwrap_or("")
                .contains("Too many open files"),
            "{text}"
        );
        let bounded = row(true);
        assert_eq!(bounded["emfile"], 0, "{text}");
        assert_eq!(bounded["other"], 0, "{text}");
        assert_eq!(bounded["succeeded"].as_u64(), Some(connections), "{text}");
        assert!(
            bounded["peak_open"].as_u64().unwrap_or(u64::MAX)
                <= bounded["permits"].as_u64().unwrap_or(0),
            "{text}"
        );
    }
    assert_eq!(json["verdicts"][0]["holds"], "yes", "{text}");
}

#[test]
fn zero_inputs_are_rejected_with_exit_code_2() {
    for args in [
        ["files", "--files", "0"],
        ["files", "--connections", "0"],
        ["files", "--permits", "0"],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_demo"))
            .args(args)
            .output()
            .expect("the demo binary runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("must be at least 1"), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

//! `demo files --quick --json`: every file read back exactly on both
//! models; under a client fd limit of 64, 200 connections at once fail
//! with EMFILE without a semaphore and all succeed with `Semaphore(16)`,
//! on both models. (Counts, not timings, are asserted.)

mod common;

#[test]
fn semaphore_prevents_emfile_and_every_file_reads_back() {
    let json = common::demo_json(&["files", "--quick", "--json"]);
    let files = json["files"].as_u64().expect("files");
    let connections = json["connections"].as_u64().expect("connections");
    assert!(
        connections > json["limit"].as_u64().expect("limit"),
        "{json}"
    );
    for model in ["event_loop", "threads"] {
        let read = &json["read"][model];
        assert_eq!(read["read_ok"].as_u64(), Some(files), "{model}: {json}");
        assert_eq!(read["failed"], 0, "{model}: {json}");
        assert!(read["threads_used"].as_u64().unwrap_or(0) >= 1, "{json}");
    }
    let rows = json["connect"].as_array().expect("connect rows");
    assert_eq!(rows.len(), 4, "{json}");
    for model in ["loop", "threads"] {
        let row = |bounded: bool| {
            rows.iter()
                .find(|r| r["model"] == model && r["permits"].is_null() != bounded)
                .unwrap_or_else(|| panic!("no {model} row (semaphore: {bounded}): {json}"))
        };
        let unbounded = row(false);
        assert!(unbounded["emfile"].as_u64().unwrap_or(0) > 0, "{json}");
        assert!(
            unbounded["emfile_example"]
                .as_str()
                .unwrap_or("")
                .contains("Too many open files"),
            "{json}"
        );
        let bounded = row(true);
        assert_eq!(bounded["emfile"], 0, "{json}");
        assert_eq!(bounded["other"], 0, "{json}");
        assert_eq!(bounded["succeeded"].as_u64(), Some(connections), "{json}");
        assert!(
            bounded["peak_open"].as_u64().unwrap_or(u64::MAX)
                <= bounded["permits"].as_u64().unwrap_or(0),
            "{json}"
        );
    }
    assert_eq!(json["verdicts"][0]["holds"], "yes", "{json}");
}

#[test]
fn zero_inputs_are_rejected_with_exit_code_2() {
    for args in [
        ["files", "--files", "0"],
        ["files", "--connections", "0"],
        ["files", "--permits", "0"],
    ] {
        common::assert_bad_input(&args, "must be at least 1");
    }
}

//! Runs `benches table --quick` (what CI can afford: well under a minute)
//! and checks that every workload × implementation row is in the table with
//! a parsed number. No timing is asserted: this machine is shared.
//!
//! It builds and runs tokio and smol, so it is not part of `cargo test
//! --workspace`: `cargo test -p benches --features peers` runs it (its own
//! step in .ci/run).

use std::process::Command;

#[test]
fn quick_table_has_every_row() {
    let out = Command::new(env!("CARGO_BIN_EXE_benches"))
        .args(["table", "--quick"])
        .output()
        .expect("cannot run the benches binary");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "table failed:\n{stdout}\n{stderr}");
    for w in benches::workloads::all() {
        for metric in w.metrics {
            for imp in w.impls {
                let prefix = format!("| {metric} | {imp} | ");
                let row = stdout
                    .lines()
                    .find(|l| l.starts_with(&prefix))
                    .unwrap_or_else(|| panic!("no row {metric}/{imp} in:\n{stdout}\n{stderr}"));
                let median = row[prefix.len()..].split(" | ").next().unwrap_or("");
                let value: f64 = median.parse().unwrap_or_else(|_| {
                    panic!("row {metric}/{imp} has no number: {row}\n{stderr}")
                });
                assert!(value.is_finite() && value > 0.0, "{row}");
            }
        }
    }
}

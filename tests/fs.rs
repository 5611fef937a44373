//! `runtime::fs`: files on the blocking pool. The `#[runtime::test]`s run
//! on the paused clock, which holds still while a blocking job runs.

use std::io::ErrorKind;
use std::path::PathBuf;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("runtime-fs-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn write_then_read_round_trip() {
    let path = scratch("round-trip");
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 253) as u8).collect();
    let rt = runtime::Runtime::new().unwrap();
    rt.block_on(async {
        runtime::fs::write(&path, &data).await.unwrap();
        assert_eq!(runtime::fs::read(&path).await.unwrap(), data);
        runtime::fs::write(&path, "text, ünïcode").await.unwrap();
        assert_eq!(
            runtime::fs::read_to_string(&path).await.unwrap(),
            "text, ünïcode"
        );
    });
    assert_eq!(rt.stats().blocking_jobs, 4);
    std::fs::remove_file(&path).unwrap();
}

#[runtime::test]
async fn not_found_keeps_its_kind_and_names_the_path() {
    let path = scratch("does-not-exist");
    for err in [
        runtime::fs::read(&path).await.unwrap_err(),
        runtime::fs::read_to_string(&path).await.unwrap_err(),
        runtime::fs::File::open(&path).await.unwrap_err(),
    ] {
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let msg = err.to_string();
        assert!(msg.contains(&*path.to_string_lossy()), "{msg}");
    }
    let missing_dir = path.join("sub").join("file");
    let err = runtime::fs::write(&missing_dir, b"x").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("sub/file"), "{err}");
}

#[runtime::test]
async fn read_to_string_of_bytes_is_invalid_data() {
    let path = scratch("not-utf8");
    runtime::fs::write(&path, [0xff, 0xfe, 0x00]).await.unwrap();
    let err = runtime::fs::read_to_string(&path).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidData);
    std::fs::remove_file(&path).unwrap();
}

#[runtime::test]
async fn file_create_write_sync_open_read() {
    let path = scratch("file");
    let mut f = runtime::fs::File::create(&path).await.unwrap();
    f.write_all(b"hello ").await.unwrap();
    f.write_all(b"world").await.unwrap();
    f.sync_all().await.unwrap();
    drop(f);
    let mut f = runtime::fs::File::open(&path).await.unwrap();
    assert_eq!(f.path(), path);
    let mut got = Vec::new();
    let mut buf = [0u8; 4];
    loop {
        let n = f.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, b"hello world");
    std::fs::remove_file(&path).unwrap();
}

//! `demo serve` as a child process of another demo (`load`, `latency`,
//! `scale`): started on a free port, its address read from the
//! `listening on http://...` line it prints, killed when the handle drops.

use std::net::SocketAddr;
use std::time::Duration;

use crate::support::child::Child;

/// A server this demo started.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The process (killed when dropped).
    pub child: Child,
}

/// Starts `demo serve --model <model> --port 0 --max-conns <max_conns>`
/// with `extra` arguments (`--workers 2`, `--latency 2ms`, `--offload`);
/// `what` names it in messages.
pub fn start(
    model: &str,
    max_conns: usize,
    extra: &[String],
    what: &str,
) -> Result<Server, String> {
    let mut args: Vec<String> = vec![
        "serve".into(),
        "--model".into(),
        model.into(),
        "--port".into(),
        "0".into(),
        "--max-conns".into(),
        max_conns.to_string(),
    ];
    args.extend_from_slice(extra);
    let mut child = Child::spawn(&args, what)?;
    let addr = child.line("listening on http://", Duration::from_secs(10))?;
    let addr = addr
        .parse()
        .map_err(|e| format!("the {what} printed a bad address {addr:?}: {e}"))?;
    Ok(Server { addr, child })
}

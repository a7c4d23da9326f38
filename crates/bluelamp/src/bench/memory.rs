//! Idle memory: start `bluelamp serve` as a child process, let it settle, read its resident set.

use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context as _, bail};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::Command;

use crate::serve::say;

/// How long the child may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Starts a server on a temporary data directory, waits `settle`, and reports its VmRSS.
pub async fn run(settle: Duration, demo: bool) -> anyhow::Result<()> {
    let data_dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let exe = std::env::current_exe().context("cannot find the bluelamp executable")?;
    let mut command = Command::new(exe);
    command
        .arg("serve")
        .arg("--data-dir")
        .arg(data_dir.path())
        .arg("--listen")
        .arg("127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    if demo {
        command.arg("--demo");
    }
    let mut child = command.spawn().context("cannot start bluelamp serve")?;
    let pid = child.id().context("the server exited at once")?;
    let stdout = child.stdout.take().context("no stdout from the server")?;
    let mut lines = BufReader::new(stdout).lines();
    let address = tokio::time::timeout(START_TIMEOUT, async {
        while let Some(line) = lines.next_line().await? {
            if let Some(address) = line.strip_prefix("listening on ") {
                return Ok(address.to_owned());
            }
        }
        bail!("the server exited before listening")
    })
    .await
    .context("the server did not start listening in time")??;
    // Keep reading stdout so that the child never blocks on a full pipe.
    let drain = tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });

    tokio::time::sleep(settle).await;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .context("cannot read the server's /proc status")?;
    let rss_kib = vm_rss_kib(&status).context("no VmRSS line in /proc status")?;
    child.kill().await.context("cannot stop the server")?;
    drain.abort();
    let rss_mib = f64::from(u32::try_from(rss_kib).unwrap_or(u32::MAX)) / 1024.0;
    say(&format!(
        "idle-memory: bluelamp serve at {address}{} after {} s idle: VmRSS {rss_mib:.1} MiB ({rss_kib} kB)",
        if demo { " with the demo force" } else { "" },
        settle.as_secs()
    ))
}

/// The `VmRSS` figure (kB) of a `/proc/PID/status` text.
fn vm_rss_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|number| number.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::vm_rss_kib;

    #[test]
    fn reads_vm_rss() {
        let status = "Name:\tbluelamp\nVmPeak:\t  9000 kB\nVmRSS:\t   23456 kB\nThreads:\t3\n";
        assert_eq!(vm_rss_kib(status), Some(23_456));
        assert_eq!(vm_rss_kib("Name: x\n"), None);
    }
}

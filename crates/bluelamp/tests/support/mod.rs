//! Helpers shared by the command-line tests: running `bluelamp` commands and servers as child
//! processes on temporary data directories.

#![expect(
    dead_code,
    reason = "each test binary uses a different part of the helpers"
)]

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};

/// The `bluelamp` executable under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_bluelamp");

/// How long a server may take to print its address.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a stopping server may take to exit.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

/// Where a node keeps its data: a temporary data directory and, for PostgreSQL, a database URL.
#[derive(Clone, Debug)]
pub struct NodeDir {
    /// The data directory (signing key; the SQLite database when `database_url` is `None`).
    pub data_dir: PathBuf,
    /// A PostgreSQL database URL, or `None` for the embedded SQLite database.
    pub database_url: Option<String>,
}

impl NodeDir {
    /// The `--data-dir` and `--database` arguments for this node.
    pub fn store_args(&self) -> Vec<String> {
        let mut args = vec!["--data-dir".to_owned(), self.data_dir.display().to_string()];
        if let Some(url) = &self.database_url {
            args.push("--database".to_owned());
            args.push(url.clone());
        }
        args
    }
}

/// A `bluelamp` command with a clean environment, run from `working_dir` (so that no stray
/// `bluelamp.toml` is read).
pub fn bluelamp(working_dir: &Path) -> Command {
    let mut command = Command::new(BIN);
    command.current_dir(working_dir).env("RUST_LOG", "warn");
    for (key, _) in std::env::vars_os() {
        let is_config = key
            .to_str()
            .is_some_and(|key| key.starts_with("BLUELAMP_") && key != "BLUELAMP_SHARED_DIR");
        if is_config {
            command.env_remove(key);
        }
    }
    command
}

/// Runs a command to completion and returns its output.
pub fn run(mut command: Command) -> anyhow::Result<Output> {
    command
        .stdin(Stdio::null())
        .output()
        .context("cannot run bluelamp")
}

/// The stdout and stderr of an output, for assertion messages.
pub fn describe(output: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Creates a staff account with `bluelamp admin create-user` and returns its API token.
pub fn create_user(node: &NodeDir, username: &str, role: &str) -> anyhow::Result<String> {
    let mut command = bluelamp(&node.data_dir);
    command
        .args(["admin", "create-user"])
        .args(node.store_args())
        .args([
            "--username",
            username,
            "--display-name",
            "Test User",
            "--role",
            role,
        ]);
    let output = run(command)?;
    ensure!(
        output.status.success(),
        "create-user failed: {}",
        describe(&output)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .filter(|line| line.starts_with("api token"))
        .find_map(|line| line.split_whitespace().last())
        .map(str::to_owned)
        .with_context(|| format!("no token printed: {}", describe(&output)))
}

/// Runs `bluelamp audit verify` on a node.
pub fn audit_verify(node: &NodeDir, extra: &[&str]) -> anyhow::Result<Output> {
    let mut command = bluelamp(&node.data_dir);
    command
        .args(["audit", "verify"])
        .args(node.store_args())
        .args(extra);
    run(command)
}

/// A `bluelamp serve` child process.
pub struct Server {
    child: Child,
    /// `http://ADDR` of the server.
    pub base_url: String,
    /// Lines the server printed on stdout before its address (key id, demo accounts).
    pub startup_lines: Vec<String>,
    /// Lines the server printed on stdout after its address.
    lines: mpsc::Receiver<String>,
}

impl Server {
    /// Starts `bluelamp serve --listen 127.0.0.1:0` on `node` (writing a checkpoint every
    /// second) and waits for its address.
    pub fn start(node: &NodeDir, extra: &[&str]) -> anyhow::Result<Self> {
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(node.data_dir.join("server-stderr.log"))
            .context("cannot open the server log")?;
        let mut command = bluelamp(&node.data_dir);
        command
            .arg("serve")
            .args(node.store_args())
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .env("BLUELAMP_CHECKPOINT_INTERVAL_SECS", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr);
        let mut child = command.spawn().context("cannot start bluelamp serve")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + START_TIMEOUT;
        let mut startup_lines = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(address) = line.strip_prefix("listening on ") {
                        return Ok(Self {
                            child,
                            base_url: address.to_owned(),
                            startup_lines,
                            lines,
                        });
                    }
                    startup_lines.push(line);
                }
                Err(error) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let log = std::fs::read_to_string(node.data_dir.join("server-stderr.log"))
                        .unwrap_or_default();
                    bail!("the server did not print its address ({error}); stderr:\n{log}");
                }
            }
        }
    }

    /// Kills the server with SIGKILL (`Child::kill` on Unix) and reaps it.
    pub fn kill_hard(mut self) -> anyhow::Result<()> {
        self.child.kill().context("cannot kill the server")?;
        self.child.wait().context("cannot reap the server")?;
        Ok(())
    }

    /// Stops the server with SIGTERM and waits for a clean exit.
    pub fn stop(mut self) -> anyhow::Result<()> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .context("cannot run kill")?;
        ensure!(status.success(), "kill -TERM failed");
        let deadline = Instant::now() + STOP_TIMEOUT;
        loop {
            if let Some(status) = self
                .child
                .try_wait()
                .context("cannot wait for the server")?
            {
                ensure!(status.success(), "the server exited with {status}");
                return Ok(());
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                bail!("the server did not stop within {STOP_TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Every stdout line printed since start-up (after the address).
    pub fn printed_lines(&self) -> Vec<String> {
        self.lines.try_iter().collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `server` (a PostgreSQL URL) with its database replaced by `name`, keeping any parameters.
pub fn database_url(server: &str, name: &str) -> String {
    let (scheme, rest) = server.split_once("://").unwrap_or(("postgres", server));
    let (authority, after) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, ""),
    };
    let query = after
        .find('?')
        .and_then(|mark| after.get(mark..))
        .unwrap_or_default();
    format!("{scheme}://{authority}/{name}{query}")
}

#[test]
fn database_urls_swap_the_database() {
    assert_eq!(
        database_url("postgres://postgres@127.0.0.1:5432/test", "t1"),
        "postgres://postgres@127.0.0.1:5432/t1"
    );
    assert_eq!(
        database_url("postgresql://u:p@h/db?sslmode=disable", "t2"),
        "postgresql://u:p@h/t2?sslmode=disable"
    );
    assert_eq!(
        database_url("postgres://h:5432", "t3"),
        "postgres://h:5432/t3"
    );
}

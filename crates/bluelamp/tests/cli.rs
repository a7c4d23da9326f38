//! The command line as a user runs it: help, `admin create-user`, `audit verify` on an intact
//! and on a tampered data directory.

mod support;

use std::path::Path;

use anyhow::{Context as _, ensure};
use sqlx::{Connection as _, Row as _};

use support::{NodeDir, Server, audit_verify, bluelamp, create_user, describe, run};

/// A node in a fresh temporary directory.
fn fresh_node() -> anyhow::Result<(tempfile::TempDir, NodeDir)> {
    let dir = tempfile::tempdir()?;
    let node = NodeDir {
        data_dir: dir.path().to_path_buf(),
        database_url: None,
    };
    Ok((dir, node))
}

/// A node with three accounts (three audit entries) and signed checkpoints from a server run.
fn node_with_history() -> anyhow::Result<(tempfile::TempDir, NodeDir)> {
    let (dir, node) = fresh_node()?;
    for (username, role) in [
        ("first.officer", "officer"),
        ("second.analyst", "analyst"),
        ("third.admin", "administrator"),
    ] {
        create_user(&node, username, role)?;
    }
    // A server run signs a checkpoint at start and a final one at a graceful stop.
    Server::start(&node, &[])?.stop()?;
    Ok((dir, node))
}

#[test]
fn help_lists_the_subcommands() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut command = bluelamp(dir.path());
    command.arg("--help");
    let output = run(command)?;
    ensure!(output.status.success(), "{}", describe(&output));
    let help = String::from_utf8_lossy(&output.stdout);
    for subcommand in ["serve", "audit", "admin", "bench"] {
        ensure!(
            help.contains(subcommand),
            "--help does not list {subcommand}:\n{help}"
        );
    }

    let mut command = bluelamp(dir.path());
    command.args(["bench", "--help"]);
    let output = run(command)?;
    let help = String::from_utf8_lossy(&output.stdout);
    for benchmark in ["audit-append", "audit-verify", "api", "idle-memory"] {
        ensure!(
            help.contains(benchmark),
            "bench --help does not list {benchmark}:\n{help}"
        );
    }
    Ok(())
}

#[test]
fn create_user_rejects_an_unknown_role_and_a_duplicate_username() -> anyhow::Result<()> {
    let (_dir, node) = fresh_node()?;
    let mut command = bluelamp(&node.data_dir);
    command
        .args(["admin", "create-user"])
        .args(node.store_args())
        .args([
            "--username",
            "x.y",
            "--display-name",
            "X",
            "--role",
            "sheriff",
        ]);
    let output = run(command)?;
    ensure!(!output.status.success(), "{}", describe(&output));
    ensure!(
        String::from_utf8_lossy(&output.stderr).contains("unknown role"),
        "{}",
        describe(&output)
    );

    let token = create_user(&node, "only.once", "officer")?;
    ensure!(token.starts_with("blp_"), "unexpected token {token}");
    let again = create_user(&node, "only.once", "officer");
    ensure!(again.is_err(), "a duplicate username was accepted");
    Ok(())
}

#[test]
fn audit_verify_passes_on_an_intact_log() -> anyhow::Result<()> {
    let (_dir, node) = node_with_history()?;
    let output = audit_verify(&node, &[])?;
    ensure!(output.status.success(), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    ensure!(
        stdout.contains("audit log intact: 3 entries"),
        "{}",
        describe(&output)
    );
    ensure!(
        !stdout.contains(" 0 checkpoints checked"),
        "{}",
        describe(&output)
    );
    Ok(())
}

#[test]
fn audit_verify_refuses_a_directory_without_a_log() -> anyhow::Result<()> {
    let (_dir, node) = fresh_node()?;
    let output = audit_verify(&node, &["--key", "/nonexistent.pem"])?;
    ensure!(!output.status.success(), "{}", describe(&output));
    let output = {
        create_user(&node, "key.maker", "officer")?;
        std::fs::remove_file(node.data_dir.join("bluelamp.db"))?;
        audit_verify(&node, &[])?
    };
    ensure!(!output.status.success(), "{}", describe(&output));
    ensure!(
        String::from_utf8_lossy(&output.stderr).contains("does not exist"),
        "{}",
        describe(&output)
    );
    ensure!(
        !node.data_dir.join("bluelamp.db").exists(),
        "verify created a database"
    );
    Ok(())
}

#[tokio::test]
async fn demo_seeds_once_and_prints_working_accounts() -> anyhow::Result<()> {
    let (_dir, node) = fresh_node()?;
    let server = Server::start(&node, &["--demo"])?;
    let printed = server.startup_lines.join("\n");
    ensure!(printed.contains("demo: seeded 1508 events"), "{printed}");
    ensure!(printed.contains("DEMO ONLY"), "{printed}");
    let officer_token = server
        .startup_lines
        .iter()
        .find(|line| line.trim_start().starts_with("demo.officer "))
        .and_then(|line| line.split_whitespace().last())
        .context("no demo officer printed")?
        .to_owned();
    let events: serde_json::Value = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/records?kind=event&limit=5",
            server.base_url
        ))
        .bearer_auth(&officer_token)
        .header("x-purpose", "demo walkthrough")
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let listed = events
        .get("records")
        .and_then(serde_json::Value::as_array)
        .map_or(0, Vec::len);
    ensure!(listed == 5, "expected 5 demo events: {events}");
    server.stop()?;

    let again = Server::start(&node, &["--demo"])?;
    let printed = again.startup_lines.join("\n");
    ensure!(printed.contains("not seeding again"), "{printed}");
    ensure!(
        printed.contains(&officer_token),
        "the saved accounts were not shown: {printed}"
    );
    again.stop()?;

    let output = audit_verify(&node, &[])?;
    ensure!(output.status.success(), "{}", describe(&output));
    Ok(())
}

#[test]
fn audit_verify_rejects_checkpoints_under_another_key() -> anyhow::Result<()> {
    let (_dir, node) = node_with_history()?;
    let stranger = bluelamp_audit::CheckpointSigner::generate();
    let pem = bluelamp_audit::verifying_key_to_pem(&stranger.verifying_key())?;
    let key_file = node.data_dir.join("stranger.pub.pem");
    std::fs::write(&key_file, pem)?;
    let output = audit_verify(&node, &["--key", &key_file.display().to_string()])?;
    ensure!(!output.status.success(), "{}", describe(&output));
    Ok(())
}

#[tokio::test]
async fn audit_verify_names_the_first_altered_entry() -> anyhow::Result<()> {
    let (_dir, node) = node_with_history()?;
    alter_one_leaf_byte(&node.data_dir.join("bluelamp.db"), 1).await?;

    let output = audit_verify(&node, &[])?;
    ensure!(
        output.status.code() == Some(1),
        "audit verify did not exit 1: {}",
        describe(&output)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    ensure!(
        stdout.contains("first bad entry: 1"),
        "{}",
        describe(&output)
    );
    Ok(())
}

/// Does what an attacker with file access would: drops the append-only trigger and changes
/// one byte of the leaf at `seq`.
async fn alter_one_leaf_byte(database: &Path, seq: i64) -> anyhow::Result<()> {
    let url = format!("sqlite://{}", database.display());
    let mut connection = sqlx::SqliteConnection::connect(&url)
        .await
        .with_context(|| format!("cannot open {url}"))?;
    sqlx::query("DROP TRIGGER audit_entries_refuse_update")
        .execute(&mut connection)
        .await?;
    let row = sqlx::query("SELECT leaf FROM audit_entries WHERE seq = ?")
        .bind(seq)
        .fetch_one(&mut connection)
        .await?;
    let mut leaf: Vec<u8> = row.try_get("leaf")?;
    let middle = leaf.len() / 2;
    // Flip one bit of one byte in the middle: the same length, a different leaf.
    let byte = leaf.get_mut(middle).context("an empty leaf")?;
    *byte ^= 0x20;
    let changed = sqlx::query("UPDATE audit_entries SET leaf = ? WHERE seq = ?")
        .bind(&leaf)
        .bind(seq)
        .execute(&mut connection)
        .await?
        .rows_affected();
    ensure!(changed == 1, "no audit entry {seq}");
    connection.close().await?;
    Ok(())
}

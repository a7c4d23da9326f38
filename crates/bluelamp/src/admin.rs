//! `bluelamp admin ...`: administration through the application layer, as the system
//! principal, so every change is authorised and audited like any other.

use std::path::PathBuf;

use anyhow::Context as _;
use bluelamp_app::{NewStaff, reveal_token};
use bluelamp_policy::Role;
use clap::Args;
use secrecy::SecretString;

use crate::StoreArgs;
use crate::config::Config;
use crate::node;
use crate::serve::say;

/// `bluelamp admin create-user`.
#[derive(Debug, Args)]
pub struct CreateUserArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Sign-in name: 3–64 characters of a–z, 0–9, '.', '-' and '_'.
    #[arg(long)]
    pub username: String,
    /// Name shown to colleagues.
    #[arg(long)]
    pub display_name: String,
    /// Role: contact_handler, officer, investigator, supervisor, analyst,
    /// information_manager or administrator.
    #[arg(long, value_parser = parse_role)]
    pub role: Role,
    /// Force slug; default: the configured force.
    #[arg(long)]
    pub force: Option<String>,
    /// A file holding the account's first password (one line; a final newline is ignored),
    /// so that the user can sign in and enrol a second factor at their first sign-in.
    /// Alternatively set `BLUELAMP_INITIAL_PASSWORD` (the file wins when both are given).
    /// Without either the account has only its API token.
    #[arg(long)]
    pub password_file: Option<PathBuf>,
    /// The account's first password (prefer `--password-file`: the environment of a
    /// process can be visible to others).
    #[arg(
        long = "initial-password",
        env = "BLUELAMP_INITIAL_PASSWORD",
        hide_env_values = true
    )]
    pub initial_password: Option<SecretString>,
}

/// The first password given by file or environment, if any.
fn initial_password(args: &CreateUserArgs) -> anyhow::Result<Option<SecretString>> {
    if let Some(path) = &args.password_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the password file {}", path.display()))?;
        let line = text.strip_suffix('\n').unwrap_or(&text);
        let line = line.strip_suffix('\r').unwrap_or(line);
        return Ok(Some(SecretString::from(line.to_owned())));
    }
    Ok(args.initial_password.clone())
}

/// Parses a role name for clap.
fn parse_role(text: &str) -> Result<Role, String> {
    text.parse::<Role>().map_err(|_| {
        let known: Vec<&str> = Role::ALL.iter().map(|role| role.as_str()).collect();
        format!("unknown role {text:?}; one of {}", known.join(", "))
    })
}

/// Creates the account (with its first password, when given) and prints its token once.
pub async fn create_user(config: &Config, args: &CreateUserArgs) -> anyhow::Result<()> {
    let password = initial_password(args)?;
    let node = node::build(config).await?;
    let system = node::cli_principal(config, "cli");
    if let Some(password) = &password {
        // Check the password before creating anything.
        node.app
            .check_new_password(&args.username, password)
            .context("the initial password is refused")?;
    }
    let input = NewStaff {
        username: args.username.clone(),
        display_name: args.display_name.clone(),
        role: args.role,
        force: args.force.clone().unwrap_or_else(|| config.force.clone()),
    };
    let created = node
        .app
        .create_staff(&system, input)
        .await
        .with_context(|| format!("cannot create the account {:?}", args.username))?;
    say(&format!(
        "created {} ({}, {}) id {}",
        created.username,
        created.role.as_str(),
        created.force,
        created.id
    ))?;
    if let Some(password) = &password {
        node.app
            .set_password(&system, created.id, password)
            .await
            .context("cannot set the initial password")?;
        say("password set: sign in and enrol a second factor at the first sign-in")?;
    }
    say(&format!(
        "api token (shown once; keep it secret): {}",
        reveal_token(&created)
    ))?;
    Ok(())
}

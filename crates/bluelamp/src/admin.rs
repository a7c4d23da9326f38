//! `bluelamp admin ...`: administration through the application layer, as the system
//! principal, so every change is authorised and audited like any other.

use anyhow::Context as _;
use bluelamp_app::{NewStaff, reveal_token};
use bluelamp_policy::Role;
use clap::Args;

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
}

/// Parses a role name for clap.
fn parse_role(text: &str) -> Result<Role, String> {
    text.parse::<Role>().map_err(|_| {
        let known: Vec<&str> = Role::ALL.iter().map(|role| role.as_str()).collect();
        format!("unknown role {text:?}; one of {}", known.join(", "))
    })
}

/// Creates the account and prints its token once.
pub async fn create_user(config: &Config, args: &CreateUserArgs) -> anyhow::Result<()> {
    let node = node::build(config).await?;
    let system = node::cli_principal(config, "cli");
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
    say(&format!(
        "api token (shown once; keep it secret): {}",
        reveal_token(&created)
    ))?;
    Ok(())
}

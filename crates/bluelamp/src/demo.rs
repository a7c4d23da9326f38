//! `bluelamp serve --demo`: seeds a demonstration force once, from a fixed seed.
//!
//! Events and places come from the real, anonymised data.police.uk street-level records for
//! Leicestershire ([`crime`]); people and vehicles are made up ([`synthetic`]); [`plan`] turns
//! both into records and links. Everything is written as the system principal through the
//! application's use cases, so every record and link is authorised and audited like any
//! other. Demo staff accounts (one per role) are created and their tokens printed.

mod crime;
mod plan;
mod synthetic;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
use bluelamp_app::{App, AppError, NewLink, NewRecord, NewStaff, Principal, reveal_token};
use bluelamp_domain::ids::RecordId;
use bluelamp_domain::marking::Marking;
use bluelamp_domain::object::Object;
use bluelamp_domain::provenance::{Channel, LawfulBasis};
use bluelamp_domain::record::RecordBody;
use bluelamp_domain::retention::RetentionGroup;
use bluelamp_policy::Role;
use futures::{StreamExt as _, TryStreamExt as _};
use rand::SeedableRng as _;
use rand_chacha::ChaCha8Rng;
use secrecy::SecretString;

use crate::config::Config;
use crate::progress;
use crate::serve::say;

use self::plan::{DemoPlan, PlannedRef};

/// The fixed seed: every demo force has the same content.
const SEED: u64 = 0x00b1_0e1a_3b00_2019;

/// Published records drawn per month (26 months: about 1,500 events).
const EVENTS_PER_MONTH: usize = 58;

/// Use cases in flight at once while seeding.
const CONCURRENCY: usize = 8;

/// The lawful basis of the demo records.
const LAWFUL_BASIS: &str = "dpa2018-part3-law-enforcement";

/// The file in the data directory that keeps the demo accounts' tokens (demo only).
const ACCOUNTS_FILE: &str = "demo-accounts.txt";

/// Seeds the demo force unless the store already holds records, then prints the demo
/// accounts.
pub async fn seed(app: &App, config: &Config) -> anyhow::Result<()> {
    let accounts_file = config.data_dir.join(ACCOUNTS_FILE);
    if app
        .holds_records()
        .await
        .context("cannot look for records")?
    {
        say("demo: the store already holds records; not seeding again")?;
        print_saved_accounts(&accounts_file)?;
        return Ok(());
    }
    let started = Instant::now();
    let system = Principal::system("demo", &config.force);
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let shared = crime::shared_dir()?;
    let files = crime::crime_files(&shared)?;
    let rows = tokio::task::spawn_blocking(move || {
        crime::sample(&files, EVENTS_PER_MONTH, &mut rng).map(|rows| (rows, rng))
    })
    .await
    .context("the sampling task failed")??;
    let (rows, mut rng) = rows;
    let plan = plan::build(&rows, app.refdata(), &mut rng)?;
    let seeded = write_plan(app, &system, &plan).await?;
    let accounts = create_accounts(app, &system, &config.force).await?;
    save_accounts(&accounts_file, &accounts)?;
    say(&format!(
        "demo: seeded {} events, {} locations, {} people, {} vehicles and {} links in {:.1} s",
        plan.events.len(),
        plan.locations.len(),
        plan.people.len(),
        plan.vehicles.len(),
        seeded.links,
        started.elapsed().as_secs_f64()
    ))?;
    print_accounts(&accounts)
}

/// Record ids by plan position, and how many links were written.
struct Seeded {
    people: Vec<RecordId>,
    vehicles: Vec<RecordId>,
    locations: Vec<RecordId>,
    events: Vec<RecordId>,
    links: usize,
}

impl Seeded {
    fn id(&self, planned: PlannedRef) -> anyhow::Result<RecordId> {
        let (list, index) = match planned {
            PlannedRef::Person(index) => (&self.people, index),
            PlannedRef::Vehicle(index) => (&self.vehicles, index),
            PlannedRef::Location(index) => (&self.locations, index),
            PlannedRef::Event(index) => (&self.events, index),
        };
        list.get(index)
            .copied()
            .with_context(|| format!("the plan refers to {planned:?}, which was not written"))
    }
}

/// Writes every record, then every link, through the application.
async fn write_plan(app: &App, system: &Principal, plan: &DemoPlan) -> anyhow::Result<Seeded> {
    let total = u64::try_from(plan.operations()).unwrap_or(u64::MAX);
    let bar = progress::bar(total, "seeding demo");
    let official = || (Marking::official(), "3");
    let people = plan.people.iter().map(|person| {
        (
            Marking::official_sensitive(),
            "3",
            RecordBody::Person(person.clone()),
        )
    });
    let people = create_all(app, system, people, &bar).await?;
    let vehicles = plan.vehicles.iter().map(|vehicle| {
        let (marking, group) = official();
        (
            marking,
            group,
            RecordBody::Object(Object::Vehicle(vehicle.clone())),
        )
    });
    let vehicles = create_all(app, system, vehicles, &bar).await?;
    let locations = plan.locations.iter().map(|location| {
        let (marking, group) = official();
        (marking, group, RecordBody::Location(location.clone()))
    });
    let locations = create_all(app, system, locations, &bar).await?;
    let events = plan.events.iter().map(|planned| {
        let marking = if planned.sensitive {
            Marking::official_sensitive()
        } else {
            Marking::official()
        };
        (
            marking,
            planned.retention_group,
            RecordBody::Event(planned.event.clone()),
        )
    });
    let events = create_all(app, system, events, &bar).await?;
    let mut seeded = Seeded {
        people,
        vehicles,
        locations,
        events,
        links: 0,
    };

    let links = plan
        .links
        .iter()
        .map(|planned| {
            Ok(NewLink {
                from: seeded.id(planned.from)?,
                to: seeded.id(planned.to)?,
                role: planned.role,
                valid_from: planned.valid_from,
                valid_to: None,
            })
        })
        .collect::<anyhow::Result<Vec<NewLink>>>()?;
    seeded.links = futures::stream::iter(links)
        .map(|link| {
            let bar = &bar;
            async move {
                let role = link.role;
                let created = app.link_records(system, link).await;
                bar.inc(1);
                created.with_context(|| format!("cannot link demo records ({role})"))
            }
        })
        .buffer_unordered(CONCURRENCY)
        .try_fold(0_usize, |count, _| async move { Ok(count + 1) })
        .await?;
    bar.finish_and_clear();
    Ok(seeded)
}

/// Creates records in order through the application; returns their ids in the same order.
async fn create_all(
    app: &App,
    system: &Principal,
    bodies: impl Iterator<Item = (Marking, &'static str, RecordBody)>,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<Vec<RecordId>> {
    let lawful_basis = LawfulBasis::parse(LAWFUL_BASIS).context("demo lawful basis")?;
    let inputs = bodies
        .map(|(marking, group, body)| {
            Ok(NewRecord {
                marking,
                lawful_basis: lawful_basis.clone(),
                retention_group: RetentionGroup::parse(group).context("demo retention group")?,
                clear_period_start: match &body {
                    RecordBody::Event(event) => Some(event.occurred_from().date_naive()),
                    _ => None,
                },
                channel: Channel::Demo,
                body,
            })
        })
        .collect::<anyhow::Result<Vec<NewRecord>>>()?;
    futures::stream::iter(inputs)
        .map(|input| async move {
            let kind = input.body.kind();
            let created = app.create_record(system, input).await;
            bar.inc(1);
            created
                .map(|record| record.id)
                .with_context(|| format!("cannot create a demo {kind} record"))
        })
        .buffered(CONCURRENCY)
        .try_collect()
        .await
}

/// A demo account as printed: username, role, first password, token.
struct DemoAccount {
    username: String,
    role: Role,
    password: String,
    token: String,
}

/// A random first password for a demo account: 20 lowercase hex digits.
fn demo_password() -> String {
    let mut bytes = [0_u8; 10];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    hex::encode(bytes)
}

/// One demo account per role; an existing one (an interrupted earlier seeding) is left as it
/// is and reported without a token.
async fn create_accounts(
    app: &App,
    system: &Principal,
    force: &str,
) -> anyhow::Result<Vec<DemoAccount>> {
    let mut accounts = Vec::new();
    for role in Role::ALL {
        let username = format!("demo.{}", role.as_str());
        let display_name = format!("Demo {}", title_case(role.as_str()));
        let input = NewStaff {
            username: username.clone(),
            display_name,
            role,
            force: force.to_owned(),
        };
        let (password, token) = match app.create_staff(system, input).await {
            Ok(created) => {
                let password = demo_password();
                app.set_password(system, created.id, &SecretString::from(password.clone()))
                    .await
                    .with_context(|| format!("cannot set the first password of {username}"))?;
                (password, reveal_token(&created).to_owned())
            }
            Err(AppError::Conflict { .. }) => (
                "-".to_owned(),
                "(exists already; password and token not shown again)".to_owned(),
            ),
            Err(error) => return Err(error).with_context(|| format!("cannot create {username}")),
        };
        accounts.push(DemoAccount {
            username,
            role,
            password,
            token,
        });
    }
    Ok(accounts)
}

/// `contact_handler` → `Contact Handler`.
fn title_case(code: &str) -> String {
    code.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The accounts as printed and saved.
fn render_accounts(accounts: &[DemoAccount]) -> String {
    let mut text = String::from(
        "DEMO ONLY: these accounts, first passwords and tokens exist for the demonstration \
         force; never run --demo on a node that holds real data.\n",
    );
    for account in accounts {
        let _infallible = writeln!(
            text,
            "  {:<28} {:<20} {:<22} {}",
            account.username,
            account.role.as_str(),
            account.password,
            account.token
        );
    }
    text.push_str(
        "  sign in at /staff with a username and its first password (then set up an \
         authenticator app);\n  use a token as: curl -H 'Authorization: Bearer TOKEN' ...\n",
    );
    text
}

/// Prints the accounts on stdout.
fn print_accounts(accounts: &[DemoAccount]) -> anyhow::Result<()> {
    say(render_accounts(accounts).trim_end())
}

/// Keeps the accounts in the data directory (mode 0600) so that a restarted demo can show
/// them again. Demo only.
fn save_accounts(path: &Path, accounts: &[DemoAccount]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(render_accounts(accounts).as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Prints the accounts saved by an earlier seeding, if any.
fn print_saved_accounts(path: &Path) -> anyhow::Result<()> {
    match std::fs::read_to_string(path) {
        Ok(text) => say(text.trim_end()),
        Err(_) => say("demo: no saved demo accounts; create one with `bluelamp admin create-user`"),
    }
}

#[cfg(test)]
mod tests {
    use super::title_case;

    #[test]
    fn role_codes_read_as_titles() {
        assert_eq!(title_case("contact_handler"), "Contact Handler");
        assert_eq!(title_case("officer"), "Officer");
    }
}

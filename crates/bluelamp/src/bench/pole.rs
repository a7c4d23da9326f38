//! `bluelamp bench pole-search`: one-box search over a synthetic force.
//!
//! Builds a force of N persons (surnames and forenames drawn from frequency-weighted lists
//! with a long tail and spelling variants), 2N events, N/10 vehicles and N/10 locations,
//! written in large batches straight through the store's transactions (each batch with one
//! audit entry, as the store requires), every record with its search keys. Then runs a fixed,
//! seeded mix of queries through [`bluelamp_app::App::search_records`] and, on a sample of
//! them, through a naive baseline (`LIKE '%…%'` on SQLite, `pg_trgm` word similarity with a
//! GIN index on PostgreSQL), and times opening a found person's page (`read_record` +
//! `links_of`).

use std::time::{Duration, Instant};

use anyhow::Context as _;
use bluelamp_app::{App, NewStaff, Principal, reveal_token};
use bluelamp_audit::{LogKind, NewEntry, Outcome};
use bluelamp_domain::event::{Event, EventKind};
use bluelamp_domain::ids::{LinkId, RecordId};
use bluelamp_domain::link::{Link, LinkRole};
use bluelamp_domain::location::{Address, Location};
use bluelamp_domain::object::{Object, Vehicle};
use bluelamp_domain::person::Person;
use bluelamp_domain::record::{Record, RecordBody};
use bluelamp_domain::search::query_keys;
use bluelamp_domain::values::{DateOfBirth, FreeText, PersonName, Postcode, Purpose, Vrm};
use bluelamp_policy::Role;
use bluelamp_store::Store;
use bluelamp_store_postgres::PgStore;
use bluelamp_store_sqlite::SqliteStore;
use chrono::{Datelike, Duration as Days, NaiveDate, TimeZone as _, Utc};
use rand::distributions::{Distribution, WeightedIndex};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use super::bench_config;
use crate::config::DatabaseTarget;
use crate::node;
use crate::progress;
use crate::serve::say;

/// Records per transaction while loading.
const BATCH: usize = 10_000;
/// Results asked for per search.
const LIMIT: u32 = 20;
/// Every how many persons one is kept as a sample for queries.
const SAMPLE_EVERY: u64 = 97;

/// The most common surnames in England and Wales with their approximate share per 10,000
/// people; the rest of the population gets [`tail_surnames`].
const SURNAMES: &[(&str, u32)] = &[
    ("Smith", 126),
    ("Jones", 75),
    ("Williams", 60),
    ("Taylor", 50),
    ("Brown", 48),
    ("Davies", 45),
    ("Evans", 33),
    ("Wilson", 32),
    ("Thomas", 31),
    ("Johnson", 29),
    ("Roberts", 28),
    ("Robinson", 23),
    ("Thompson", 23),
    ("Wright", 22),
    ("Walker", 21),
    ("White", 20),
    ("Edwards", 19),
    ("Hughes", 19),
    ("Green", 19),
    ("Hall", 19),
    ("Lewis", 18),
    ("Harris", 18),
    ("Clarke", 18),
    ("Patel", 17),
    ("Jackson", 17),
    ("Wood", 16),
    ("Turner", 16),
    ("Martin", 16),
    ("Cooper", 16),
    ("Hill", 16),
    ("Ward", 15),
    ("Morris", 15),
    ("Moore", 15),
    ("Clark", 15),
    ("Lee", 15),
    ("King", 15),
    ("Baker", 14),
    ("Harrison", 14),
    ("Morgan", 14),
    ("Allen", 14),
    ("James", 14),
    ("Scott", 13),
    ("Phillips", 13),
    ("Watson", 13),
    ("Davis", 13),
    ("Parker", 13),
    ("Price", 12),
    ("Bennett", 12),
    ("Young", 12),
    ("Griffiths", 12),
    ("Mitchell", 12),
    ("Kelly", 12),
    ("Cook", 12),
    ("Carter", 12),
    ("Richardson", 12),
    ("Bailey", 12),
    ("Collins", 12),
    ("Bell", 11),
    ("Shaw", 11),
    ("Murphy", 11),
    ("Miller", 11),
    ("Cox", 11),
    ("Richards", 11),
    ("Khan", 11),
    ("Marshall", 11),
    ("Anderson", 11),
    ("Simpson", 10),
    ("Ellis", 10),
    ("Adams", 10),
    ("Singh", 10),
    ("Begum", 10),
    ("Wilkinson", 10),
    ("Foster", 10),
    ("Chapman", 10),
    ("Powell", 10),
    ("Webb", 10),
    ("Rogers", 10),
    ("Gray", 10),
    ("Mason", 10),
    ("Ali", 10),
    ("Hunt", 10),
    ("Hussain", 9),
    ("Campbell", 9),
    ("Matthews", 9),
    ("Owen", 9),
    ("Palmer", 9),
    ("Holmes", 9),
    ("Mills", 9),
    ("Barnes", 9),
    ("Knight", 9),
    ("Lloyd", 9),
    ("Butler", 9),
    ("Russell", 9),
    ("Barker", 9),
    ("Fisher", 9),
    ("Stevens", 9),
    ("Jenkins", 9),
    ("Murray", 9),
    ("Dixon", 9),
    ("Harvey", 9),
    ("Okafor", 4),
    ("Nguyen", 4),
    ("Kowalski", 4),
    ("O'Brien", 4),
    ("MacDonald", 4),
];

/// Spelling variants some people's surnames are recorded with.
const SURNAME_VARIANTS: &[(&str, &str)] = &[
    ("Smith", "Smyth"),
    ("Thompson", "Thomson"),
    ("Clarke", "Clark"),
    ("Phillips", "Philips"),
    ("Gray", "Grey"),
    ("Stevens", "Stephens"),
    ("Davies", "Davis"),
    ("MacDonald", "McDonald"),
    ("Hussain", "Husain"),
];

/// Common forenames (both sexes) with rough weights, spelling variants included.
const FORENAMES: &[(&str, u32)] = &[
    ("John", 40),
    ("Jon", 6),
    ("David", 35),
    ("Michael", 30),
    ("Paul", 25),
    ("Andrew", 22),
    ("Mark", 20),
    ("James", 25),
    ("Stephen", 14),
    ("Steven", 10),
    ("Robert", 18),
    ("Richard", 16),
    ("Peter", 14),
    ("Thomas", 14),
    ("Daniel", 14),
    ("Christopher", 14),
    ("Mohammed", 9),
    ("Muhammad", 8),
    ("Mohammad", 4),
    ("Oliver", 10),
    ("Harry", 9),
    ("Jack", 9),
    ("George", 9),
    ("Sean", 5),
    ("Shaun", 4),
    ("Ahmed", 4),
    ("Mary", 20),
    ("Sarah", 25),
    ("Catherine", 8),
    ("Kathryn", 5),
    ("Katherine", 6),
    ("Claire", 10),
    ("Clare", 6),
    ("Emma", 18),
    ("Rachel", 12),
    ("Laura", 12),
    ("Helen", 12),
    ("Susan", 14),
    ("Karen", 10),
    ("Julie", 10),
    ("Nicola", 10),
    ("Amelia", 8),
    ("Olivia", 9),
    ("Jessica", 8),
    ("Sophie", 9),
    ("Priya", 4),
    ("Fatima", 4),
    ("Aisha", 4),
    ("Zoë", 3),
    ("Siobhan", 3),
];

/// Syllables the long tail of surnames is made of.
const TAIL_HEADS: &[&str] = &[
    "Ash", "Brad", "Brom", "Cal", "Chad", "Dal", "Ether", "Fair", "Gold", "Hart", "Hol", "Kings",
    "Lang", "Mar", "Mid", "North", "Oak", "Pem", "Red", "Rush", "Shel", "South", "Stan", "Thorn",
    "Wal", "West", "Whit", "Wim", "Wood", "Yar", "Ber", "Car", "Dun", "Fen", "Gar", "Hay", "Lin",
    "Mor", "Pen", "Ros",
];
/// Endings of the long tail of surnames.
const TAIL_TAILS: &[&str] = &[
    "worth", "ley", "field", "ford", "ton", "wood", "by", "well", "ham", "stead", "combe", "den",
    "hurst", "lake", "more", "wick", "cliffe", "gate", "bridge", "dale", "holt", "mere", "shaw",
    "thorpe", "land", "brook", "croft", "side", "ridge", "win",
];

const STREETS: &[&str] = &[
    "High",
    "Station",
    "Church",
    "Park",
    "Victoria",
    "Green",
    "Manor",
    "Mill",
    "Kings",
    "Queens",
    "New",
    "Grange",
    "School",
    "North",
    "South",
    "Springfield",
    "Windsor",
    "Highfield",
    "Chapel",
    "Granby",
    "London",
    "York",
    "Albert",
    "Belvoir",
    "Charles",
    "Humberstone",
    "Narborough",
    "Welford",
    "Aylestone",
    "Melton",
];
const STREET_TYPES: &[&str] = &[
    "Road", "Street", "Lane", "Avenue", "Close", "Way", "Drive", "Crescent",
];
const TOWNS: &[&str] = &[
    "Leicester",
    "Loughborough",
    "Hinckley",
    "Coalville",
    "Melton Mowbray",
    "Market Harborough",
    "Oakham",
    "Wigston",
    "Lutterworth",
    "Ashby-de-la-Zouch",
];
const POSTCODE_AREAS: &[&str] = &["LE", "NG", "DE", "CV", "PE", "NN", "B", "S"];
const ITEMS: &[&str] = &[
    "bicycle",
    "mobile phone",
    "handbag",
    "laptop",
    "catalytic converter",
    "wallet",
    "tools",
    "parcel",
    "car keys",
    "jewellery",
    "moped",
    "garden furniture",
];
const PLACES: &[&str] = &[
    "outside the library",
    "from a shed",
    "from a parked car",
    "at the bus station",
    "from a garage",
    "in the town centre",
    "outside a supermarket",
    "at the railway station",
    "from a front garden",
    "near the park",
];
const INCIDENTS: &[&str] = &[
    "a fight",
    "shouting",
    "a suspicious vehicle",
    "criminal damage to a window",
    "youths throwing stones",
    "a burglary in progress",
    "a collision",
    "graffiti",
    "a dog attack",
    "drug dealing",
];

/// Kinds of query in the mix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum QueryKind {
    /// Forename and a misspelt surname.
    Name,
    /// Forename, misspelt surname and date of birth.
    NameAndDob,
    /// A registration mark with one look-alike character misread.
    VrmMisread,
    /// A postcode, lowercase, without the space.
    Postcode,
    /// A date of birth, `dd/mm/yyyy`.
    DateOfBirth,
}

impl QueryKind {
    const ALL: [QueryKind; 5] = [
        QueryKind::Name,
        QueryKind::NameAndDob,
        QueryKind::VrmMisread,
        QueryKind::Postcode,
        QueryKind::DateOfBirth,
    ];

    fn label(self) -> &'static str {
        match self {
            QueryKind::Name => "forename + misspelt surname",
            QueryKind::NameAndDob => "name misspelt + date of birth",
            QueryKind::VrmMisread => "VRM misread",
            QueryKind::Postcode => "postcode",
            QueryKind::DateOfBirth => "date of birth",
        }
    }
}

/// One query of the mix and the record it is after.
struct Query {
    kind: QueryKind,
    text: String,
    target: RecordId,
}

/// What is kept of a generated person to make queries.
struct PersonSample {
    id: RecordId,
    forename: String,
    surname: String,
    dob: NaiveDate,
}

/// The synthetic force's generator.
struct Generator {
    rng: ChaCha8Rng,
    surnames: Vec<String>,
    surname_weights: WeightedIndex<u32>,
    forename_weights: WeightedIndex<u32>,
    template: Record,
}

impl Generator {
    fn new(seed: u64) -> anyhow::Result<Self> {
        let mut surnames: Vec<String> = SURNAMES.iter().map(|(s, _)| (*s).to_owned()).collect();
        let mut weights: Vec<u32> = SURNAMES.iter().map(|(_, w)| *w).collect();
        // The top names cover about a fifth of people; the tail shares the rest equally.
        let top: u32 = weights.iter().sum();
        let tail = tail_surnames();
        let tail_count = u32::try_from(tail.len())?;
        let each = (top.saturating_mul(4) / tail_count).max(1);
        for name in tail {
            surnames.push(name);
            weights.push(each);
        }
        let template: Record = serde_json::from_value(json!({
            "id": RecordId::new(),
            "marking": { "classification": "OFFICIAL", "sensitive": false, "caveats": [] },
            "provenance": {
                "channel": "staff_entry",
                "lawful_basis": "dpa2018-part3-law-enforcement",
                "recorded_by": "system:bench",
                "recorded_at": Utc::now(),
            },
            "retention": { "group": "3", "clear_period_start": "2026-11-27", "next_review": "2032-11-27" },
            "body": { "kind": "person", "name": { "surname": "Template" } },
        }))
        .context("the record template does not parse")?;
        Ok(Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            surnames,
            surname_weights: WeightedIndex::new(weights)?,
            forename_weights: WeightedIndex::new(FORENAMES.iter().map(|(_, w)| *w))?,
            template,
        })
    }

    fn record(&self, body: RecordBody) -> Record {
        let mut record = self.template.clone();
        record.id = RecordId::new();
        record.body = body;
        record
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        let index = self.rng.gen_range(0..list.len());
        list.get(index).copied().unwrap_or_default()
    }

    fn person(&mut self) -> anyhow::Result<(Record, PersonSample)> {
        let mut surname = self
            .surnames
            .get(self.surname_weights.sample(&mut self.rng))
            .cloned()
            .unwrap_or_default();
        if self.rng.gen_ratio(1, 8)
            && let Some((_, variant)) = SURNAME_VARIANTS.iter().find(|(s, _)| *s == surname)
        {
            (*variant).clone_into(&mut surname);
        }
        let forename = FORENAMES
            .get(self.forename_weights.sample(&mut self.rng))
            .map(|(f, _)| (*f).to_owned())
            .unwrap_or_default();
        let start = NaiveDate::from_ymd_opt(1940, 1, 1).context("date")?;
        let dob = start + Days::days(self.rng.gen_range(0..25_500));
        let mut person = Person::named(PersonName::new([forename.as_str()], &surname)?);
        person.date_of_birth = Some(DateOfBirth::new(dob)?);
        let record = self.record(RecordBody::Person(person));
        let sample = PersonSample {
            id: record.id,
            forename,
            surname,
            dob,
        };
        Ok((record, sample))
    }

    fn vehicle(&mut self) -> Option<Record> {
        const LETTERS: &str = "ABCDEFGHJKLMNOPRSTUVWXY";
        let letter = |rng: &mut ChaCha8Rng| {
            let index = rng.gen_range(0..LETTERS.len());
            LETTERS.chars().nth(index).unwrap_or('A')
        };
        let age = self.rng.gen_range(2..=25) + if self.rng.r#gen() { 50 } else { 0 };
        let mark = format!(
            "{}{}{age:02}{}{}{}",
            letter(&mut self.rng),
            letter(&mut self.rng),
            letter(&mut self.rng),
            letter(&mut self.rng),
            letter(&mut self.rng)
        );
        let vrm = Vrm::parse(&mark).ok()?;
        Some(self.record(RecordBody::Object(Object::Vehicle(Vehicle {
            vrm,
            make: None,
            model: None,
            colour: None,
        }))))
    }

    fn location(&mut self) -> Option<Record> {
        const INWARD: &str = "ABDEFGHJLNPQRSTUWXYZ";
        let area = self.pick(POSTCODE_AREAS);
        let district = self.rng.gen_range(1..=20);
        let digit = self.rng.gen_range(0..=9);
        let mut inward = String::new();
        for _ in 0..2 {
            let index = self.rng.gen_range(0..INWARD.len());
            inward.push(INWARD.chars().nth(index).unwrap_or('A'));
        }
        let postcode = Postcode::parse(&format!("{area}{district} {digit}{inward}")).ok()?;
        let line = format!(
            "{} {} {}",
            self.rng.gen_range(1..=250),
            self.pick(STREETS),
            self.pick(STREET_TYPES)
        );
        let town = self.pick(TOWNS).to_owned();
        let address = Address::new(vec![line], Some(town), Some(postcode)).ok()?;
        let location = Location::new(Some(address), None, None).ok()?;
        Some(self.record(RecordBody::Location(location)))
    }

    fn event(&mut self) -> anyhow::Result<Record> {
        let street = format!("{} {}", self.pick(STREETS), self.pick(STREET_TYPES));
        let (kind, summary) = if self.rng.gen_ratio(1, 2) {
            (
                EventKind::CrimeReport,
                format!(
                    "{} stolen {} on {street}",
                    capital(self.pick(ITEMS)),
                    self.pick(PLACES)
                ),
            )
        } else {
            (
                EventKind::Incident,
                format!("Report of {} near {street}", self.pick(INCIDENTS)),
            )
        };
        let at = Utc
            .with_ymd_and_hms(2020, 1, 1, 0, 0, 0)
            .single()
            .context("time")?
            + Days::minutes(self.rng.gen_range(0..3_000_000));
        let event = Event::new(kind, FreeText::parse(&summary)?, at, None, None)?;
        Ok(self.record(RecordBody::Event(event)))
    }
}

fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The long tail of surnames: every head with every ending.
fn tail_surnames() -> Vec<String> {
    TAIL_HEADS
        .iter()
        .flat_map(|head| TAIL_TAILS.iter().map(move |tail| format!("{head}{tail}")))
        .collect()
}

/// A plausible misspelling: one vowel after the first letter replaced by another, or a known
/// variant.
fn misspell(surname: &str, rng: &mut ChaCha8Rng) -> String {
    if let Some((_, variant)) = SURNAME_VARIANTS.iter().find(|(s, _)| *s == surname) {
        return (*variant).to_owned();
    }
    let chars: Vec<char> = surname.chars().collect();
    let vowels: Vec<usize> = chars
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, c)| "aeiou".contains(**c))
        .map(|(i, _)| i)
        .collect();
    let Some(&position) = vowels.get(rng.gen_range(0..vowels.len().max(1))) else {
        return format!("{surname}e");
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i != position {
                return *c;
            }
            match c {
                'a' => 'e',
                'e' => 'a',
                'i' => 'y',
                'o' => 'u',
                _ => 'o',
            }
        })
        .collect()
}

/// The mark with one character swapped for its look-alike.
fn misread(mark: &str, rng: &mut ChaCha8Rng) -> String {
    let swap = |c: char| match c {
        '0' => Some('O'),
        'O' => Some('0'),
        '1' => Some('I'),
        'I' => Some('1'),
        '5' => Some('S'),
        'S' => Some('5'),
        '8' => Some('B'),
        'B' => Some('8'),
        '2' => Some('Z'),
        'Z' => Some('2'),
        '6' => Some('G'),
        'G' => Some('6'),
        'D' => Some('0'),
        _ => None,
    };
    let positions: Vec<usize> = mark
        .chars()
        .enumerate()
        .filter(|(_, c)| swap(*c).is_some())
        .map(|(i, _)| i)
        .collect();
    let chosen = positions
        .get(rng.gen_range(0..positions.len().max(1)))
        .copied();
    mark.chars()
        .enumerate()
        .map(|(i, c)| {
            if Some(i) == chosen {
                swap(c).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// Writes `records` (and `links`) in one transaction with one audit entry.
async fn write_batch(store: &dyn Store, records: &[Record], links: &[Link]) -> anyhow::Result<()> {
    let mut tx = store.begin().await.context("cannot begin")?;
    tx.insert_records(records)
        .await
        .context("cannot insert records")?;
    for link in links {
        tx.insert_link(link).await.context("cannot insert a link")?;
    }
    tx.append_audit(&[NewEntry {
        at: Utc::now(),
        actor: "system:bench".to_owned(),
        kind: LogKind::Collection,
        action: "record.create".to_owned(),
        purpose: None,
        records: Vec::new(),
        recipients: Vec::new(),
        digest: None,
        outcome: Outcome::Allowed,
    }])
    .await
    .context("cannot append the batch's audit entry")?;
    tx.commit().await.context("cannot commit a batch")?;
    Ok(())
}

/// What the load kept for the queries.
struct Loaded {
    persons: Vec<PersonSample>,
    vehicles: Vec<(RecordId, String)>,
    locations: Vec<(RecordId, String)>,
}

/// Generates and writes the synthetic force.
async fn load(store: &dyn Store, persons: u64, seed: u64) -> anyhow::Result<Loaded> {
    let mut generator = Generator::new(seed)?;
    let mut loaded = Loaded {
        persons: Vec::new(),
        vehicles: Vec::new(),
        locations: Vec::new(),
    };
    let others = persons / 10;
    let events = persons.saturating_mul(2);
    let total = persons + others * 2 + events;
    let bar = progress::bar(total, "loading");
    let mut linked_persons: Vec<RecordId> = Vec::new();
    let mut batch = Vec::with_capacity(BATCH);
    let mut written = 0_u64;
    for index in 0..persons {
        let (record, sample) = generator.person()?;
        if index % 10 == 0 {
            linked_persons.push(record.id);
        }
        if index % SAMPLE_EVERY == 0 {
            loaded.persons.push(sample);
        }
        batch.push(record);
        if batch.len() >= BATCH {
            write_batch(store, &batch, &[]).await?;
            written += u64::try_from(batch.len())?;
            bar.set_position(written);
            batch.clear();
        }
    }
    for index in 0..others.saturating_mul(2) {
        let record = if index % 2 == 0 {
            generator.vehicle()
        } else {
            generator.location()
        };
        let Some(record) = record else { continue };
        if index % SAMPLE_EVERY < 2 {
            match &record.body {
                RecordBody::Object(Object::Vehicle(vehicle)) => {
                    loaded
                        .vehicles
                        .push((record.id, vehicle.vrm.as_str().to_owned()));
                }
                RecordBody::Location(location) => {
                    if let Some(postcode) = location.address().and_then(Address::postcode) {
                        loaded
                            .locations
                            .push((record.id, postcode.as_str().to_owned()));
                    }
                }
                _ => {}
            }
        }
        batch.push(record);
        if batch.len() >= BATCH {
            write_batch(store, &batch, &[]).await?;
            written += u64::try_from(batch.len())?;
            bar.set_position(written);
            batch.clear();
        }
    }
    let mut links = Vec::new();
    let link_from = Utc::now();
    for index in 0..events {
        let record = generator.event()?;
        // Every tenth person is linked to two events.
        if index % 10 == 0 {
            let slot = usize::try_from(index / 10)?;
            if let Some(person) = linked_persons.get(slot % linked_persons.len().max(1)) {
                links.push(Link::new(
                    LinkId::new(),
                    *person,
                    record.id,
                    LinkRole::Suspect,
                    link_from,
                    None,
                )?);
            }
        }
        batch.push(record);
        if batch.len() >= BATCH {
            write_batch(store, &batch, &links).await?;
            written += u64::try_from(batch.len())?;
            bar.set_position(written);
            batch.clear();
            links.clear();
        }
    }
    write_batch(store, &batch, &links).await?;
    bar.finish_and_clear();
    Ok(loaded)
}

/// The fixed query mix: `count` queries cycling through the kinds.
fn queries(loaded: &Loaded, count: usize, seed: u64) -> Vec<Query> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EA2C4);
    let mut out = Vec::with_capacity(count);
    for kind in QueryKind::ALL.into_iter().cycle().take(count) {
        let query = match kind {
            QueryKind::Name | QueryKind::NameAndDob | QueryKind::DateOfBirth => {
                let Some(person) = loaded
                    .persons
                    .get(rng.gen_range(0..loaded.persons.len().max(1)))
                else {
                    continue;
                };
                let name = format!(
                    "{} {}",
                    person.forename.to_lowercase(),
                    misspell(&person.surname, &mut rng).to_lowercase()
                );
                let dob = format!(
                    "{:02}/{:02}/{}",
                    person.dob.day(),
                    person.dob.month(),
                    person.dob.year()
                );
                let text = match kind {
                    QueryKind::Name => name,
                    QueryKind::NameAndDob => format!("{name} {dob}"),
                    _ => dob,
                };
                Query {
                    kind,
                    text,
                    target: person.id,
                }
            }
            QueryKind::VrmMisread => {
                let Some((id, mark)) = loaded
                    .vehicles
                    .get(rng.gen_range(0..loaded.vehicles.len().max(1)))
                else {
                    continue;
                };
                Query {
                    kind,
                    text: misread(mark, &mut rng),
                    target: *id,
                }
            }
            QueryKind::Postcode => {
                let Some((id, postcode)) = loaded
                    .locations
                    .get(rng.gen_range(0..loaded.locations.len().max(1)))
                else {
                    continue;
                };
                Query {
                    kind,
                    text: postcode.replace(' ', "").to_lowercase(),
                    target: *id,
                }
            }
        };
        out.push(query);
    }
    out
}

/// The `p`-th percentile (0 to 100) of sorted durations, in milliseconds.
fn percentile(sorted: &[Duration], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (sorted.len().saturating_mul(p)).div_ceil(100).max(1);
    sorted
        .get(rank.saturating_sub(1))
        .map_or(0.0, |d| d.as_secs_f64() * 1_000.0)
}

/// `p50/p95/p99` of `times`, in milliseconds.
fn figures(times: &mut [Duration]) -> (f64, f64, f64) {
    times.sort();
    (
        percentile(times, 50),
        percentile(times, 95),
        percentile(times, 99),
    )
}

/// The naive baseline of one backend.
enum Baseline {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

impl Baseline {
    async fn search(&self, text: &str) -> anyhow::Result<Vec<RecordId>> {
        Ok(match self {
            Baseline::Sqlite(store) => {
                let words: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
                store.baseline_search(&words, LIMIT).await?
            }
            Baseline::Postgres(store) => store.baseline_search(text, LIMIT).await?,
        })
    }

    fn name(&self) -> &'static str {
        match self {
            Baseline::Sqlite(_) => "LIKE '%word%' on every word",
            Baseline::Postgres(_) => "pg_trgm word similarity (<%) with a GIN index",
        }
    }
}

/// Runs the benchmark.
pub async fn run(
    persons: u64,
    query_count: usize,
    baseline_every: usize,
    seed: u64,
    database_url: Option<&str>,
) -> anyhow::Result<()> {
    anyhow::ensure!(persons >= 100, "--persons must be at least 100");
    let data_dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let config = bench_config(data_dir.path(), database_url)?;
    let built = node::build(&config).await?;
    let app = built.app;
    let store = built.store;
    let backend = app.backend_name();

    let started = Instant::now();
    let loaded = load(&*store, persons, seed).await?;
    let load_secs = started.elapsed().as_secs_f64();
    let records = persons + persons / 5 + persons * 2;
    say(&format!(
        "pole-search: backend {backend}, loaded {persons} persons, {} events, {} vehicles and \
         locations (~{records} records with their search keys) in {load_secs:.1} s",
        persons * 2,
        persons / 5
    ))?;

    let baseline = match config.database()? {
        DatabaseTarget::Sqlite(path) => Baseline::Sqlite(SqliteStore::open(&path).await?),
        DatabaseTarget::Postgres(url) => {
            use secrecy::ExposeSecret as _;
            let pg = PgStore::connect(url.expose_secret()).await?;
            let started = Instant::now();
            pg.vacuum_analyze().await?;
            let vacuum = started.elapsed().as_secs_f64();
            let started = Instant::now();
            pg.prepare_baseline_search().await?;
            say(&format!(
                "pole-search: VACUUM ANALYZE {vacuum:.1} s; pg_trgm GIN index built in {:.1} s",
                started.elapsed().as_secs_f64()
            ))?;
            Baseline::Postgres(pg)
        }
    };

    let officer = officer(&app, &config.force).await?;
    let purpose = Purpose::parse("bench: pole search")?;
    let queries = queries(&loaded, query_count, seed);

    // Warm up the caches a little, as a workspace in use would be.
    for query in queries.iter().take(10) {
        app.search_records(&officer, &query.text, None, &purpose, LIMIT)
            .await?;
    }

    let bar = progress::bar(u64::try_from(queries.len())?, "searching");
    let mut times: Vec<(QueryKind, Duration, bool)> = Vec::with_capacity(queries.len());
    let mut baseline_times: Vec<(QueryKind, Duration, bool)> = Vec::new();
    let mut raw_times: Vec<(QueryKind, Duration, bool)> = Vec::with_capacity(queries.len());
    let mut found_persons = Vec::new();
    for (index, query) in queries.iter().enumerate() {
        let started = Instant::now();
        let results = app
            .search_records(&officer, &query.text, None, &purpose, LIMIT)
            .await
            .with_context(|| format!("search {:?}", query.text))?;
        let elapsed = started.elapsed();
        let hit = results.hits.iter().any(|h| h.record.id == query.target);
        times.push((query.kind, elapsed, hit));
        if hit && query.kind == QueryKind::NameAndDob {
            found_persons.push(query.target);
        }
        // The same staged lookup in the store alone: no policy, no audit entry, no commit.
        let started = Instant::now();
        let parsed = query_keys(&query.text);
        let mut tx = store.begin().await?;
        let mut matches = Vec::new();
        for keys in parsed.stages() {
            matches = tx.search_keys(keys, None, LIMIT.saturating_mul(5)).await?;
            if matches.len() >= usize::try_from(LIMIT)? {
                break;
            }
        }
        let ids: Vec<RecordId> = matches.iter().map(|m| m.id).collect();
        tx.get_records(&ids).await?;
        tx.rollback().await?;
        raw_times.push((query.kind, started.elapsed(), ids.contains(&query.target)));
        if baseline_every > 0 && index % baseline_every < QueryKind::ALL.len() {
            let started = Instant::now();
            let ids = baseline.search(&query.text).await?;
            baseline_times.push((query.kind, started.elapsed(), ids.contains(&query.target)));
        }
        bar.inc(1);
    }
    bar.finish_and_clear();

    say(&format!(
        "pole-search: {} queries through App::search_records (limit {LIMIT}), baseline {} on {}",
        times.len(),
        baseline.name(),
        baseline_times.len()
    ))?;
    for kind in QueryKind::ALL.into_iter().map(Some).chain([None]) {
        let pick = |rows: &[(QueryKind, Duration, bool)]| {
            let chosen: Vec<_> = rows
                .iter()
                .filter(|(k, _, _)| kind.is_none_or(|kind| *k == kind))
                .collect();
            let found = chosen.iter().filter(|(_, _, hit)| *hit).count();
            let mut durations: Vec<Duration> = chosen.iter().map(|(_, d, _)| *d).collect();
            (figures(&mut durations), found, chosen.len())
        };
        let ((p50, p95, p99), found, count) = pick(&times);
        let ((b50, b95, b99), b_found, b_count) = pick(&baseline_times);
        let ((r50, r95, _), _, _) = pick(&raw_times);
        let ratio = if r95 > 0.0 { b95 / r95 } else { 0.0 };
        say(&format!(
            "pole-search: {:<30} search_records p50 {p50:.1} / p95 {p95:.1} / p99 {p99:.1} ms, target in top {LIMIT}: {found}/{count} | store index alone p50 {r50:.1} / p95 {r95:.1} ms | baseline p50 {b50:.1} / p95 {b95:.1} / p99 {b99:.1} ms, target found {b_found}/{b_count} | baseline p95 / index p95 {ratio:.1}x",
            kind.map_or("all", QueryKind::label)
        ))?;
    }

    // Opening a person's page: the record and its links.
    let mut page_times = Vec::new();
    for id in found_persons.iter().take(200) {
        let started = Instant::now();
        app.read_record(&officer, *id, &purpose).await?;
        app.links_of(&officer, *id, &purpose).await?;
        page_times.push(started.elapsed());
    }
    let (p50, p95, p99) = figures(&mut page_times);
    say(&format!(
        "pole-search: person page (read_record + links_of) x{}: p50 {p50:.1} / p95 {p95:.1} / p99 {p99:.1} ms",
        page_times.len()
    ))?;
    if let Baseline::Sqlite(store) = baseline {
        store.close().await;
    }
    Ok(())
}

/// An officer account of the force, authenticated.
async fn officer(app: &App, force: &str) -> anyhow::Result<Principal> {
    let system = Principal::system("bench", force);
    let created = app
        .create_staff(
            &system,
            NewStaff {
                username: format!("bench-{}", uuid::Uuid::now_v7().simple()),
                display_name: "Benchmark Officer".to_owned(),
                role: Role::Officer,
                force: force.to_owned(),
            },
        )
        .await
        .context("cannot create the benchmark account")?;
    app.authenticate(reveal_token(&created))
        .await
        .context("cannot authenticate the benchmark account")
}

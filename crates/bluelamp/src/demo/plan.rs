//! The demo force as a plan: every record and link, decided by a fixed seed before anything is
//! written, so two runs seed the same content (the ids differ: the application assigns them).

use std::collections::BTreeMap;

use anyhow::Context as _;
use bluelamp_domain::event::{CategorySlug, Event, EventKind};
use bluelamp_domain::link::LinkRole;
use bluelamp_domain::location::Location;
use bluelamp_domain::object::Vehicle;
use bluelamp_domain::person::{EthnicityCode, Person, PersonIdentifier};
use bluelamp_domain::refdata::ReferenceData;
use bluelamp_domain::values::{DateOfBirth, FreeText, GeoPoint, NhsNumber, PersonName, Vrm};
use chrono::{DateTime, NaiveDate, Utc};
use rand::Rng as _;
use rand::seq::SliceRandom as _;
use rand_chacha::ChaCha8Rng;

use super::crime::CrimeRow;
use super::synthetic;

/// People in the demo force's pool (victims, witnesses, suspects, owners recur).
const PEOPLE: usize = 1_000;
/// Vehicles in the pool.
const VEHICLES: usize = 250;

/// A record of the plan, by kind and position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlannedRef {
    /// `people[i]`.
    Person(usize),
    /// `vehicles[i]`.
    Vehicle(usize),
    /// `locations[i]`.
    Location(usize),
    /// `events[i]`.
    Event(usize),
}

/// A link of the plan.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedLink {
    /// Where it starts.
    pub from: PlannedRef,
    /// Where it ends.
    pub to: PlannedRef,
    /// Its role.
    pub role: LinkRole,
    /// From when it holds (the event's time; `None`: from now).
    pub valid_from: Option<DateTime<Utc>>,
}

/// One planned event with its retention facts.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedEvent {
    /// The event.
    pub event: Event,
    /// MoPI group: 2 for violent or sexual offences, 4 for undetected crime, else 3.
    pub retention_group: &'static str,
    /// Whether it is OFFICIAL-SENSITIVE (violence and sexual offences).
    pub sensitive: bool,
}

/// Everything the demo seeds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DemoPlan {
    /// Anonymised map points, one record per distinct point.
    pub locations: Vec<Location>,
    /// Incidents and crime reports drawn from the real records.
    pub events: Vec<PlannedEvent>,
    /// Made-up people.
    pub people: Vec<Person>,
    /// Made-up vehicles.
    pub vehicles: Vec<Vehicle>,
    /// Links between them.
    pub links: Vec<PlannedLink>,
}

impl DemoPlan {
    /// Records and links to write.
    pub fn operations(&self) -> usize {
        self.locations.len()
            + self.events.len()
            + self.people.len()
            + self.vehicles.len()
            + self.links.len()
    }
}

/// Builds the plan from the sampled rows.
pub fn build(
    rows: &[CrimeRow],
    refdata: &ReferenceData,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<DemoPlan> {
    let today = Utc::now().date_naive();
    let mut plan = DemoPlan::default();
    let ethnicities: Vec<String> = refdata
        .ethnicity_self_defined
        .current(today)
        .map(|entry| entry.code.clone())
        .collect();
    for _ in 0..PEOPLE {
        plan.people.push(person(rng, &ethnicities)?);
    }
    for _ in 0..VEHICLES {
        plan.vehicles.push(vehicle(rng)?);
    }
    for index in 0..plan.vehicles.len() {
        let owner = rng.gen_range(0..plan.people.len());
        plan.links.push(link(
            PlannedRef::Person(owner),
            PlannedRef::Vehicle(index),
            LinkRole::Owner,
            None,
        ));
        if rng.gen_bool(0.3) {
            let driver = rng.gen_range(0..plan.people.len());
            if driver != owner {
                plan.links.push(link(
                    PlannedRef::Person(driver),
                    PlannedRef::Vehicle(index),
                    LinkRole::Driver,
                    None,
                ));
            }
        }
    }

    let mut location_by_point: BTreeMap<(String, String), usize> = BTreeMap::new();
    for row in rows {
        let key = (row.longitude.to_string(), row.latitude.to_string());
        let location_index = match location_by_point.get(&key) {
            Some(index) => *index,
            None => {
                plan.locations.push(location(row)?);
                let index = plan.locations.len() - 1;
                location_by_point.insert(key, index);
                index
            }
        };
        let event_index = plan.events.len();
        let planned = event(row, refdata, rng)?;
        let at = Some(planned.event.occurred_from());
        plan.events.push(planned);
        let this_event = PlannedRef::Event(event_index);
        plan.links.push(link(
            this_event,
            PlannedRef::Location(location_index),
            LinkRole::OccurredAt,
            at,
        ));
        add_people(&mut plan, row, this_event, at, rng);
    }
    Ok(plan)
}

/// A link of the plan.
fn link(
    from: PlannedRef,
    to: PlannedRef,
    role: LinkRole,
    valid_from: Option<DateTime<Utc>>,
) -> PlannedLink {
    PlannedLink {
        from,
        to,
        role,
        valid_from,
    }
}

/// Victims, reporting people, witnesses, suspects and vehicles of one event.
fn add_people(
    plan: &mut DemoPlan,
    row: &CrimeRow,
    event: PlannedRef,
    at: Option<DateTime<Utc>>,
    rng: &mut ChaCha8Rng,
) {
    let people = plan.people.len();
    let mut involved: Vec<usize> = Vec::new();
    let draw = |rng: &mut ChaCha8Rng, involved: &mut Vec<usize>| {
        // A few tries for someone not yet involved; bounded, and a repeat is harmless.
        let mut candidate = rng.gen_range(0..people);
        for _ in 0..4 {
            if !involved.contains(&candidate) {
                break;
            }
            candidate = rng.gen_range(0..people);
        }
        involved.push(candidate);
        PlannedRef::Person(candidate)
    };
    let (victim_chance, suspect_chance) = match row.crime_type.as_str() {
        "Drugs" | "Possession of weapons" => (0.0, 0.9),
        "Public order" | "Anti-social behaviour" => (0.4, 0.4),
        "Violence and sexual offences" | "Robbery" => (0.95, 0.6),
        _ => (0.85, 0.3),
    };
    let victim = rng
        .gen_bool(victim_chance)
        .then(|| draw(rng, &mut involved));
    if let Some(victim) = victim {
        plan.links.push(link(victim, event, LinkRole::Victim, at));
    }
    if rng.gen_bool(0.7) {
        let reporter = match victim {
            Some(victim) if rng.gen_bool(0.6) => victim,
            _ => draw(rng, &mut involved),
        };
        plan.links
            .push(link(reporter, event, LinkRole::ReportingPerson, at));
    }
    for _ in 0..2 {
        if rng.gen_bool(0.3) {
            let witness = draw(rng, &mut involved);
            plan.links.push(link(witness, event, LinkRole::Witness, at));
        }
    }
    if rng.gen_bool(suspect_chance) {
        let suspect = draw(rng, &mut involved);
        plan.links.push(link(suspect, event, LinkRole::Suspect, at));
    }
    if row.crime_type == "Vehicle crime" && !plan.vehicles.is_empty() {
        let vehicle = rng.gen_range(0..plan.vehicles.len());
        plan.links.push(link(
            PlannedRef::Vehicle(vehicle),
            event,
            LinkRole::Involved,
            at,
        ));
    }
}

/// A made-up person as a domain value.
fn person(rng: &mut ChaCha8Rng, ethnicities: &[String]) -> anyhow::Result<Person> {
    let made_up = synthetic::person(rng);
    let name = PersonName::new([made_up.given.as_str()], &made_up.family)
        .with_context(|| format!("demo name {} {}", made_up.given, made_up.family))?;
    let mut person = Person::named(name);
    person.date_of_birth = Some(
        DateOfBirth::new(made_up.date_of_birth)
            .with_context(|| format!("demo date of birth {}", made_up.date_of_birth))?,
    );
    if let Some(number) = &made_up.nhs_number {
        let nhs = NhsNumber::parse(number).with_context(|| format!("demo NHS number {number}"))?;
        person.identifiers.push(PersonIdentifier::Nhs(nhs));
    }
    if rng.gen_bool(0.6)
        && let Some(code) = ethnicities.choose(rng)
    {
        person.self_defined_ethnicity =
            Some(EthnicityCode::parse(code).with_context(|| format!("ethnicity {code}"))?);
    }
    Ok(person)
}

/// A made-up vehicle as a domain value.
fn vehicle(rng: &mut ChaCha8Rng) -> anyhow::Result<Vehicle> {
    let made_up = synthetic::vehicle(rng);
    Ok(Vehicle {
        vrm: Vrm::parse(&made_up.vrm).with_context(|| format!("demo VRM {}", made_up.vrm))?,
        make: Some(text(made_up.make)?),
        model: Some(text(made_up.model)?),
        colour: Some(text(made_up.colour)?),
    })
}

/// An anonymised map point: a point and its label (the published data has no address).
fn location(row: &CrimeRow) -> anyhow::Result<Location> {
    let point = GeoPoint::new(row.latitude, row.longitude)
        .with_context(|| format!("point {},{}", row.latitude, row.longitude))?;
    let description = text(&format!("{} ({})", row.location, row.lsoa_name))?;
    Location::new(None, Some(point), Some(description))
        .with_context(|| format!("location {}", row.location))
}

/// An incident (anti-social behaviour) or crime report from one published row.
fn event(
    row: &CrimeRow,
    refdata: &ReferenceData,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<PlannedEvent> {
    let slug = category_slug(refdata, &row.crime_type, row.month)?;
    let is_asb = slug == "anti-social-behaviour";
    let kind = if is_asb {
        EventKind::Incident
    } else {
        EventKind::CrimeReport
    };
    let place = lowercase_first(&row.location);
    let summary = match &row.outcome {
        Some(outcome) => format!(
            "{} {place} ({}). Last outcome: {outcome}.",
            row.crime_type, row.lsoa_name
        ),
        None => format!("{} {place} ({}).", row.crime_type, row.lsoa_name),
    };
    let occurred = synthetic::moment_in_month(rng, row.month).and_utc();
    let category = CategorySlug::parse(&slug).with_context(|| format!("category {slug}"))?;
    let event = Event::new(kind, text(&summary)?, occurred, None, Some(category))
        .with_context(|| format!("event {summary}"))?;
    let violent = row.crime_type == "Violence and sexual offences";
    let undetected = row
        .outcome
        .as_deref()
        .is_some_and(|outcome| outcome.contains("no suspect identified"));
    let retention_group = if violent {
        "2"
    } else if undetected {
        "4"
    } else {
        "3"
    };
    Ok(PlannedEvent {
        event,
        retention_group,
        sensitive: violent,
    })
}

/// The reference data slug of a published category name, e.g. `Public order` → `public-order`.
pub fn category_slug(refdata: &ReferenceData, name: &str, on: NaiveDate) -> anyhow::Result<String> {
    refdata
        .crime_categories
        .entries()
        .iter()
        .find(|entry| entry.label.eq_ignore_ascii_case(name) && entry.is_effective_on(on))
        .map(|entry| entry.code.clone())
        .with_context(|| {
            format!("crime type {name:?} is not a crime category in the reference data on {on}")
        })
}

/// `On or near X` → `on or near X`.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Free text from a literal the demo made.
fn text(value: &str) -> anyhow::Result<FreeText> {
    FreeText::parse(value).with_context(|| format!("demo text {value:?}"))
}

#[cfg(test)]
mod tests {
    use bluelamp_domain::refdata::ReferenceData;
    use chrono::NaiveDate;

    use super::category_slug;

    #[test]
    fn every_published_crime_type_maps_to_a_category() {
        let refdata = ReferenceData::embedded().unwrap();
        let month = NaiveDate::from_ymd_opt(2020, 6, 1).unwrap();
        for name in [
            "Violence and sexual offences",
            "Anti-social behaviour",
            "Public order",
            "Criminal damage and arson",
            "Other theft",
            "Vehicle crime",
            "Burglary",
            "Shoplifting",
            "Drugs",
            "Other crime",
            "Bicycle theft",
            "Possession of weapons",
            "Robbery",
            "Theft from the person",
        ] {
            category_slug(&refdata, name, month).unwrap();
        }
        assert_eq!(
            category_slug(&refdata, "Public order", month).unwrap(),
            "public-order"
        );
    }
}

//! Request and response bodies of the API, and their OpenAPI schemas.
//!
//! Requests parse straight into domain types (parse, don't validate). The domain crate knows
//! nothing of OpenAPI, so the shapes of its types are described here by schema-only mirrors
//! (`…Schema`), which the API tests check against real responses.

use bluelamp_domain::ids::RecordId;
use bluelamp_domain::link::{Link, LinkRole};
use bluelamp_domain::marking::Marking;
use bluelamp_domain::provenance::LawfulBasis;
use bluelamp_domain::record::Record;
use bluelamp_domain::retention::RetentionGroup;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

// ---------------------------------------------------------------------------------------
// Requests

/// The body of `POST /api/v1/records`: the record's content and how it is to be held. The
/// server sets the id, the provenance and the next review date.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRecordRequest {
    /// The protective marking.
    #[schema(value_type = MarkingSchema)]
    pub marking: Marking,
    /// The lawful basis for processing: a code of the `lawful_bases` reference list.
    #[schema(value_type = String, example = "dpa2018-part3-law-enforcement")]
    pub lawful_basis: LawfulBasis,
    /// The MoPI retention group: a code of the `retention_groups` reference list.
    #[schema(value_type = String, example = "3")]
    pub retention_group: RetentionGroup,
    /// Start of the clear period (last police attention); today when absent.
    #[serde(default)]
    pub clear_period_start: Option<NaiveDate>,
    /// The person, object, location or event, tagged by `kind`.
    // Kept as JSON here and parsed by `parse_record_body`, which names a bad field's full
    // path (serde loses it inside internally tagged enums).
    #[schema(value_type = RecordBodySchema)]
    pub record: serde_json::Value,
}

/// The body of `POST /api/v1/links`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLinkRequest {
    /// The record the link starts from (e.g. the person).
    #[schema(value_type = String, format = Uuid)]
    pub from: RecordId,
    /// The record the link points to (e.g. the event).
    #[schema(value_type = String, format = Uuid)]
    pub to: RecordId,
    /// What the link says: `from` is `role` of/at `to`.
    #[schema(value_type = LinkRoleSchema)]
    pub role: LinkRole,
    /// Start of validity; now when absent.
    #[serde(default)]
    pub valid_from: Option<DateTime<Utc>>,
    /// End of validity (exclusive); open when absent.
    #[serde(default)]
    pub valid_to: Option<DateTime<Utc>>,
}

// ---------------------------------------------------------------------------------------
// Responses

/// A page of records.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct RecordPage {
    /// The records the caller may read, in creation order.
    #[schema(value_type = Vec<RecordSchema>)]
    pub records: Vec<Record>,
    /// Pass as `after` to get the next page; `null` when this page is empty (the end).
    #[schema(value_type = Option<String>, format = Uuid)]
    pub next_after: Option<RecordId>,
}

/// The links of a record.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct LinkList {
    /// Every link with the record at either end, in creation order.
    #[schema(value_type = Vec<LinkSchema>)]
    pub links: Vec<Link>,
}

// ---------------------------------------------------------------------------------------
// Schema-only mirrors of domain types

/// A GSCP classification tier.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ClassificationSchema {
    /// OFFICIAL.
    Official,
    /// SECRET.
    Secret,
    /// TOP SECRET.
    TopSecret,
}

/// A protective marking: a classification, the OFFICIAL-SENSITIVE handling flag (only with
/// OFFICIAL) and caveats.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"classification": "OFFICIAL", "sensitive": true, "caveats": []}))]
pub struct MarkingSchema {
    /// The tier.
    pub classification: ClassificationSchema,
    /// OFFICIAL-SENSITIVE handling (default `false`).
    #[serde(default)]
    pub sensitive: bool,
    /// Caveats such as `PERSONAL` or `UK EYES ONLY` (default none).
    #[schema(example = json!(["PERSONAL"]))]
    #[serde(default)]
    pub caveats: Vec<String>,
}

/// The role of a link: which kinds of record it joins.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkRoleSchema {
    /// Person → event.
    Victim,
    /// Person → event.
    Witness,
    /// Person → event.
    Suspect,
    /// Person → event.
    Offender,
    /// Person → event.
    ReportingPerson,
    /// Person → event.
    Informant,
    /// Person → object.
    Owner,
    /// Person → object.
    Keeper,
    /// Person → object.
    Driver,
    /// Person → object.
    Passenger,
    /// Person → location.
    Resident,
    /// Event → location.
    OccurredAt,
    /// Object → event.
    Involved,
    /// Person → person.
    Associate,
}

/// The content of a record, tagged by `kind`.
#[derive(Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RecordBodySchema {
    /// A person.
    Person(PersonSchema),
    /// A vehicle or item of property.
    Object(ObjectSchema),
    /// An address, a point, or both.
    Location(LocationSchema),
    /// An incident or crime report.
    Event(EventSchema),
}

/// A person's name.
#[derive(Serialize, ToSchema)]
pub struct PersonNameSchema {
    /// Forenames in order (may be empty).
    #[schema(example = json!(["Jane", "Ann"]))]
    #[serde(default)]
    pub forenames: Vec<String>,
    /// Surname.
    #[schema(example = "Smith")]
    pub surname: String,
}

/// An identifier of a person, each checked by its own rule.
#[derive(Serialize, ToSchema)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum PersonIdentifierSchema {
    /// A PNC ID such as `2001/0012345H` (check letter verified).
    Pnc(String),
    /// An NHS number, ten digits (modulus 11 check digit verified).
    Nhs(String),
    /// A National Insurance number such as `QQ123456C`.
    Nino(String),
    /// A CRO number such as `012345/01X`.
    Cro(String),
}

/// A warning marker on a person.
#[derive(Serialize, ToSchema)]
pub struct WarningMarkerSchema {
    /// The marker code, e.g. `VI` (violent).
    pub code: String,
    /// Details.
    pub details: Option<String>,
}

/// A person (nominal).
#[derive(Serialize, ToSchema)]
pub struct PersonSchema {
    /// Name.
    pub name: PersonNameSchema,
    /// Other names used.
    #[serde(default)]
    pub aliases: Vec<PersonNameSchema>,
    /// Date of birth, `YYYY-MM-DD`.
    #[schema(format = Date, example = "1990-04-01")]
    pub date_of_birth: Option<String>,
    /// PNC ID, NHS number, National Insurance number, CRO number.
    #[serde(default)]
    pub identifiers: Vec<PersonIdentifierSchema>,
    /// Self-defined ethnicity code (18+1 classification), e.g. `W1`.
    pub self_defined_ethnicity: Option<String>,
    /// Officer-defined ethnicity code, e.g. `IC1`.
    pub officer_defined_ethnicity: Option<String>,
    /// Warning markers.
    #[serde(default)]
    pub warning_markers: Vec<WarningMarkerSchema>,
}

/// An object, tagged by `type`.
#[derive(Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ObjectSchema {
    /// A vehicle.
    Vehicle(VehicleSchema),
    /// Property other than a vehicle.
    Property(PropertySchema),
}

/// A vehicle.
#[derive(Serialize, ToSchema)]
pub struct VehicleSchema {
    /// Registration mark in any UK format; stored in canonical spacing, e.g. `AB12 CDE`.
    #[schema(example = "AB12 CDE")]
    pub vrm: String,
    /// Make.
    pub make: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// Colour.
    pub colour: Option<String>,
}

/// An item of property.
#[derive(Serialize, ToSchema)]
pub struct PropertySchema {
    /// What it is.
    #[schema(example = "Black mountain bike")]
    pub description: String,
    /// Serial numbers (frame numbers, IMEIs, …).
    #[serde(default)]
    pub serial_numbers: Vec<String>,
}

/// A postal address.
#[derive(Serialize, ToSchema)]
pub struct AddressSchema {
    /// One to four lines.
    #[schema(example = json!(["1 High Street"]))]
    pub lines: Vec<String>,
    /// Town.
    #[schema(example = "Leicester")]
    pub town: Option<String>,
    /// A valid UK postcode; stored in canonical form, e.g. `LE1 6AB`.
    #[schema(example = "LE1 6AB")]
    pub postcode: Option<String>,
}

/// A WGS84 point.
#[derive(Serialize, ToSchema)]
pub struct GeoPointSchema {
    /// Latitude in degrees.
    #[schema(example = 52.6369)]
    pub lat: f64,
    /// Longitude in degrees.
    #[schema(example = -1.1398)]
    pub lon: f64,
}

/// A location: an address, a point, or both.
#[derive(Serialize, ToSchema)]
pub struct LocationSchema {
    /// The address.
    pub address: Option<AddressSchema>,
    /// The point.
    pub point: Option<GeoPointSchema>,
    /// A description (e.g. "car park behind the library").
    pub description: Option<String>,
}

/// What kind of event.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKindSchema {
    /// An incident.
    Incident,
    /// A crime report.
    CrimeReport,
}

/// An event: an incident or a crime report.
#[derive(Serialize, ToSchema)]
pub struct EventSchema {
    /// Incident or crime report.
    #[serde(rename = "type")]
    pub event_type: EventKindSchema,
    /// What happened.
    #[schema(example = "Shed broken into, bicycle taken")]
    pub summary: String,
    /// When it happened (or the start of the window).
    pub occurred_from: DateTime<Utc>,
    /// The end of the window, if not a moment.
    pub occurred_to: Option<DateTime<Utc>>,
    /// A data.police.uk crime category, e.g. `burglary`.
    #[schema(example = "burglary")]
    pub crime_category: Option<String>,
}

/// How a record reached the force.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChannelSchema {
    /// A member of the public reporting online.
    OnlineReport,
    /// Entered by officers or staff.
    StaffEntry,
    /// Received through this API.
    Api,
    /// Bulk import.
    Import,
    /// Synthetic demonstration data.
    Demo,
    /// Shared by a partner agency.
    Partner,
    /// A sensor such as an ANPR camera.
    Sensor,
}

/// Where a record came from.
#[derive(Serialize, ToSchema)]
pub struct ProvenanceSchema {
    /// How it arrived.
    pub channel: ChannelSchema,
    /// The lawful basis for processing it.
    pub lawful_basis: String,
    /// Who recorded it (an actor id such as `staff:…`).
    pub recorded_by: String,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

/// A record's MoPI retention state.
#[derive(Serialize, ToSchema)]
pub struct RetentionSchema {
    /// The MoPI group.
    pub group: String,
    /// Start of the clear period.
    pub clear_period_start: NaiveDate,
    /// When the record is next due for review.
    pub next_review: NaiveDate,
}

/// A POLE record as returned by the API.
#[derive(Serialize, ToSchema)]
pub struct RecordSchema {
    /// The record id (UUIDv7).
    #[schema(format = Uuid)]
    pub id: String,
    /// Its protective marking.
    pub marking: MarkingSchema,
    /// Where it came from.
    pub provenance: ProvenanceSchema,
    /// Its retention state.
    pub retention: RetentionSchema,
    /// The content.
    pub body: RecordBodySchema,
    /// Need-to-know handling; absent when nothing is set.
    #[serde(default)]
    pub handling: Option<HandlingSchema>,
    /// The protected field categories withheld from the caller (their fields are absent);
    /// absent when nothing is withheld.
    #[serde(default)]
    pub withheld: Option<Vec<FieldCategorySchema>>,
}

/// A record's need-to-know handling.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"restricted": true, "access_teams": ["0190f1c2-7a3b-7c4d-8e5f-6a7b8c9d0e1f"], "flags": ["refuge_address"]}))]
pub struct HandlingSchema {
    /// Only the access list may see the record (default `false`).
    #[serde(default)]
    pub restricted: bool,
    /// Staff ids on the access list.
    #[serde(default)]
    pub access_staff: Vec<String>,
    /// Team ids on the access list.
    #[serde(default)]
    pub access_teams: Vec<String>,
    /// `vip` or `refuge_address`.
    #[serde(default)]
    pub flags: Vec<String>,
}

/// A category of protected fields.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldCategorySchema {
    /// A person's postal address; a location's address and point.
    Address,
    /// A person's e-mail address and telephone number.
    Contact,
    /// A person's PNC, NHS, NI and CRO identifiers.
    Identifiers,
}

/// A link between two records.
#[derive(Serialize, ToSchema)]
pub struct LinkSchema {
    /// The link id (UUIDv7).
    #[schema(format = Uuid)]
    pub id: String,
    /// The record it starts from.
    #[schema(format = Uuid)]
    pub from: String,
    /// The record it points to.
    #[schema(format = Uuid)]
    pub to: String,
    /// What it says.
    pub role: LinkRoleSchema,
    /// Start of validity.
    pub valid_from: DateTime<Utc>,
    /// End of validity (exclusive), if ended.
    pub valid_to: Option<DateTime<Utc>>,
}

//! # Bluelamp domain model
//!
//! The core types of Bluelamp, shared by every other crate. Records follow the POLE
//! shape (Person, Object, Location, Event) joined by typed, time-bounded [`link::Link`]s.
//! Every record carries a security [`marking::Marking`] (GSCP), its
//! [`provenance::Provenance`] (channel, lawful basis, who recorded it and when) and its
//! MoPI [`retention::Retention`] state.
//!
//! Values with rules (postcodes, VRMs, NHS numbers, National Insurance numbers, PNC IDs,
//! CRO numbers, …) are parsed, not validated: each is a newtype with a private field, a
//! fallible `parse`, a canonical `Display`, `FromStr`, and serde as a string, so JSON input is
//! parsed on deserialisation and an invalid value cannot be built.
//!
//! Code lists (crime categories, outcomes, forces, ethnicity codes, markings, retention
//! groups, s.62 log kinds, lawful bases) are versioned reference data with effective dates:
//! see [`refdata`]. The crate does no I/O: the reference files are embedded at build time
//! and every parser takes `&str`.
//!
//! Pure rules read their values from the reference data: working days on the England and
//! Wales calendar in London time ([`calendar`]), Victims' Code deadlines ([`victims_code`]),
//! the NCRS 24-hour recording clock ([`ncrs`]), THRIVE response grades ([`response`]), the
//! purposes staff give for opening personal data ([`access_purpose`]) and Home Office
//! offence classifications ([`offence`]).

#[macro_use]
mod macros;

pub mod access_purpose;
pub mod calendar;
pub mod event;
pub mod handling;
pub mod ids;
pub mod link;
pub mod location;
pub mod marking;
pub mod ncrs;
pub mod object;
pub mod offence;
pub mod person;
pub mod provenance;
pub mod record;
pub mod refdata;
pub mod report;
pub mod response;
pub mod retention;
pub mod search;
pub mod values;
pub mod victims_code;

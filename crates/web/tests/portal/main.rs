//! HTTP tests of the citizen portal and the staff workspace: the real router on 127.0.0.1:0, a real application on a
//! fresh SQLite store, an in-memory blob store, an SMTP sink for the e-mail, and a citizen
//! client that keeps cookies like a browser (see [`helpers`]).
//!
//! The modules are marked `cfg(test)` (always true here) so that the workspace lints treat
//! their helpers as test code, where `unwrap`, `expect` and indexing are allowed.

#[cfg(test)]
mod helpers;
#[cfg(test)]
mod journeys;
#[cfg(test)]
mod pages;
#[cfg(test)]
mod route_sweep;
#[cfg(test)]
mod security;
#[cfg(test)]
mod staff;
#[cfg(test)]
mod staff_audit;
#[cfg(test)]
mod staff_casework;
#[cfg(test)]
mod staff_records;
#[cfg(test)]
mod staff_reviews;
#[cfg(test)]
mod staff_roles;
#[cfg(test)]
mod tracking;
#[cfg(test)]
mod uploads;
#[cfg(test)]
mod validation;

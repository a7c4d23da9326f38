//! HTTP tests: the real router on 127.0.0.1:0, a real application on a fresh SQLite store,
//! and one typed client per actor (see [`helpers`]).
//!
//! The modules are marked `cfg(test)` (always true here) so that the workspace lints treat
//! their helpers as test code, where `unwrap`, `expect` and indexing are allowed.

#[cfg(test)]
mod audit;
#[cfg(test)]
mod errors;
#[cfg(test)]
mod helpers;
#[cfg(test)]
mod links;
#[cfg(test)]
mod openapi;
#[cfg(test)]
mod operations;
#[cfg(test)]
mod records;
#[cfg(test)]
mod reports;
#[cfg(test)]
mod snapshots;

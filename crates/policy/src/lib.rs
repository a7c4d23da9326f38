//! Bluelamp authorisation: the gate's **authorise** step.
//!
//! Every use case runs authorise → act → audit → commit. This crate answers the
//! first question — may this principal do this action to this resource, for
//! this purpose? — with [Cedar](https://www.cedarpolicy.com/) policies:
//!
//! - **Default deny.** Nothing is allowed unless a `permit` matches and no
//!   `forbid` does. Any error (a malformed request, a policy that fails to
//!   evaluate) denies too: Cedar itself would skip an erroring policy.
//! - **Strictly validated.** The schema (`policies/bluelamp.cedarschema`) and
//!   the policies (`policies/*.cedar`, one file per concern) are embedded and
//!   validated strictly when the engine is built ([`PolicyEngine::embedded`]);
//!   an invalid policy is an error naming it, never a silently skipped rule.
//!   The entities the engine builds are checked against the schema then too.
//! - **Explained.** Every policy carries an `@id("...")`; a [`Decision`] lists
//!   the ids that determined it, for the audit entry and the "why not".
//! - **Fast.** The schema and policies are parsed once; a decision builds only
//!   the principal and resource entities and evaluates only the policies whose
//!   action scope can match the requested action.
//!
//! Encodings in Cedar: classification and clearance are `Long`s
//! ([`classification_level`]: OFFICIAL = 1, SECRET = 2, TOP SECRET = 3); roles,
//! actions and record kinds are their snake_case / dotted names
//! ([`Role::as_str`], [`Action::as_str`], [`RecordKind::as_str`]); the context is
//! `{ purpose: String, has_purpose: Bool }`, where a missing or blank purpose
//! gives `has_purpose == false`.
//!
//! Online reports: a [`Resource::report`]'s id is the report reference and its
//! `reporter` is an entity reference to the citizen who made it. A member of
//! the public is `Citizen::"anonymous"` until they prove the one-time code
//! e-mailed to them, then `Citizen::"reporter:<REFERENCE>"`, and follows only
//! the report whose `reporter` is that principal.
//!
//! To change policy: edit `policies/*.cedar`, give each new policy an `@id`,
//! and add golden cases to `tests/golden.toml` naming it (a test fails for any
//! policy no case exercises). Every `forbid` must be unable to error (guard
//! optional attributes with `has`, no arithmetic); `tests/forbids.rs` checks it.
//!
//! ```
//! use bluelamp_policy::{
//!     AccessRequest, Action, Classification, PolicyEngine, RecordKind, Resource, Role, StaffId,
//!     Subject,
//! };
//!
//! let engine = PolicyEngine::embedded()?;
//! let officer = Subject::staff(StaffId::new(), Role::Officer, "kent", Classification::Official);
//! let record = Resource::record(RecordKind::Event, "rec-1", "kent", Classification::Official, false);
//! let decision = engine.authorize(&AccessRequest {
//!     subject: &officer,
//!     action: Action::ReadRecord,
//!     resource: &record,
//!     purpose: Some("investigation"),
//! });
//! assert!(decision.allowed);
//! assert_eq!(decision.determining_policies, ["records.operational.consult"]);
//! # Ok::<(), bluelamp_policy::PolicyError>(())
//! ```

mod engine;
mod model;

// The domain types in this crate's API, re-exported for callers' convenience.
pub use bluelamp_domain::ids::{RecordKind, StaffId};
pub use bluelamp_domain::marking::Classification;
pub use engine::{
    EMBEDDED_POLICIES, EMBEDDED_SCHEMA, Effect, NAMESPACE, PolicyDiff, PolicyEngine, PolicyError,
    PolicyIssue, PolicySummary, classification_level,
};
pub use model::{
    AccessRequest, Action, Decision, NeedToKnow, ParseActionError, ParseRoleError, PrincipalKind,
    Resource, ResourceKind, Role, Subject,
};

//! The gate: authorise → act → append the audit entry → commit.
//!
//! Every use case in this crate goes through these helpers. The store adds a last line of
//! defence: a transaction that changed state without appending an audit entry cannot commit.

use bluelamp_audit::{LogKind, NewEntry, Outcome};
use bluelamp_domain::handling::{FieldCategory, Handling};
use bluelamp_domain::ids::{RecordId, RecordKind};
use bluelamp_domain::marking::{Classification, Marking};
use bluelamp_domain::record::Record;
use bluelamp_policy::{AccessRequest, Action, NeedToKnow, Resource, ResourceKind};
use bluelamp_store::StoreTx;
use uuid::Uuid;

use crate::{AppError, Inner, Principal};

/// What one audit entry says, before the clock and actor are filled in.
pub(crate) struct AuditFacts<'a> {
    pub(crate) kind: LogKind,
    pub(crate) action: Action,
    pub(crate) purpose: Option<&'a str>,
    pub(crate) records: Vec<Uuid>,
}

impl Inner {
    /// A resource of this deployment's force.
    pub(crate) fn resource(
        &self,
        kind: ResourceKind,
        id: String,
        classification: Classification,
        sensitive: bool,
    ) -> Resource {
        Resource {
            kind,
            id,
            force: Some(self.force.clone()),
            classification,
            sensitive,
            reporter: None,
            need_to_know: NeedToKnow::default(),
            category: None,
        }
    }

    /// The policy resource for a record of `kind` with `id`, `marking` and `handling`.
    ///
    /// The record's controlled caveats are those of its marking that the reference data
    /// marks controlled on today's date, and any it does not know (fail closed).
    pub(crate) fn record_resource(
        &self,
        kind: RecordKind,
        id: RecordId,
        marking: &Marking,
        handling: &Handling,
    ) -> Resource {
        let today = self.clock.now().date_naive();
        let caveats = marking
            .caveats()
            .iter()
            .filter(|caveat| {
                self.refdata
                    .controlled_caveat(caveat.as_str(), today)
                    .unwrap_or(true)
            })
            .map(|caveat| caveat.as_str().to_owned())
            .collect();
        self.resource(
            ResourceKind::Record(kind),
            id.to_string(),
            marking.classification(),
            marking.is_sensitive(),
        )
        .with_need_to_know(NeedToKnow {
            caveats,
            restricted: handling.restricted,
            access_staff: handling
                .access_staff
                .iter()
                .map(ToString::to_string)
                .collect(),
            access_teams: handling
                .access_teams
                .iter()
                .map(ToString::to_string)
                .collect(),
            flags: handling
                .flags
                .iter()
                .map(|flag| flag.as_str().to_owned())
                .collect(),
        })
    }

    /// The policy resource for a stored record.
    pub(crate) fn resource_of(&self, record: &Record) -> Resource {
        self.record_resource(record.kind(), record.id, &record.marking, &record.handling)
    }

    /// Withholds from `record` each protected field category the policy does not let `who`
    /// see for `purpose` (`field.read`): the one place where field-level redaction happens,
    /// for pages, the API and exports alike. Call it on every record given out, after the
    /// record itself was allowed.
    pub(crate) fn redact(&self, who: &Principal, record: &mut Record, purpose: &str) {
        let resource = self.resource_of(record);
        let policy = self.policy();
        for category in FieldCategory::of_kind(record.kind()) {
            let field = resource.field(category.as_str());
            let decision = policy.authorize(&AccessRequest {
                subject: &who.subject,
                action: Action::ReadField,
                resource: &field,
                purpose: Some(purpose),
            });
            if !decision.allowed {
                tracing::debug!(
                    actor = %who.actor_id(),
                    record = %record.id,
                    category = category.as_str(),
                    policies = ?decision.determining_policies,
                    "field withheld"
                );
                record.withhold(*category);
            }
        }
    }

    /// Builds the audit entry for `who` doing `facts` now.
    pub(crate) fn audit_entry(
        &self,
        who: &Principal,
        facts: &AuditFacts<'_>,
        outcome: Outcome,
    ) -> NewEntry {
        NewEntry {
            at: self.clock.now(),
            actor: who.actor_id(),
            kind: facts.kind,
            action: facts.action.as_str().to_owned(),
            purpose: facts.purpose.map(str::to_owned),
            records: facts.records.clone(),
            recipients: Vec::new(),
            digest: None,
            outcome,
        }
    }

    /// Asks the policy; pure, no I/O. `true` when allowed.
    pub(crate) fn decide(
        &self,
        who: &Principal,
        resource: &Resource,
        facts: &AuditFacts<'_>,
    ) -> bool {
        let decision = self.policy().authorize(&AccessRequest {
            subject: &who.subject,
            action: facts.action,
            resource,
            purpose: facts.purpose,
        });
        if !decision.allowed {
            tracing::info!(
                actor = %who.actor_id(),
                action = facts.action.as_str(),
                policies = ?decision.determining_policies,
                "access denied"
            );
        }
        decision.allowed
    }

    /// Records a refused attempt in the audit log (its own transaction: nothing else is
    /// stored) and returns the error to give the caller. Call it only after any open
    /// transaction of the use case has been abandoned.
    pub(crate) async fn refuse(&self, who: &Principal, facts: &AuditFacts<'_>) -> AppError {
        let denied = self.audit_entry(who, facts, Outcome::Denied);
        let recorded = async {
            let mut tx = self.store.begin().await?;
            tx.append_audit(&[denied]).await?;
            tx.commit().await
        }
        .await;
        match recorded {
            Ok(()) => AppError::Forbidden {
                action: facts.action.as_str(),
            },
            Err(error) => AppError::from(error),
        }
    }

    /// Decides, and when the policy denies, audits the refusal and returns the error.
    pub(crate) async fn authorise(
        &self,
        who: &Principal,
        resource: &Resource,
        facts: &AuditFacts<'_>,
    ) -> Result<(), AppError> {
        if self.decide(who, resource, facts) {
            Ok(())
        } else {
            Err(self.refuse(who, facts).await)
        }
    }

    /// Opens the transaction of a consultation of record `id`: reads the record and asks the
    /// policy about the resource `resource_of` makes of it. A missing record is `NotFound`; a
    /// refusal is audited and returned as the error.
    pub(crate) async fn begin_consultation(
        &self,
        who: &Principal,
        id: RecordId,
        facts: &AuditFacts<'_>,
        resource_of: impl FnOnce(&Self, &Record) -> Resource,
    ) -> Result<(Box<dyn StoreTx>, Record), AppError> {
        let mut tx = self.store.begin().await?;
        let record = match tx.get_record(id).await {
            Ok(Some(record)) => record,
            Ok(None) => {
                let missing = AppError::NotFound {
                    what: "record",
                    id: id.to_string(),
                };
                return abandon(tx, missing).await;
            }
            Err(error) => return abandon(tx, error.into()).await,
        };
        if !self.decide(who, &resource_of(self, &record), facts) {
            tx.rollback().await?;
            return Err(self.refuse(who, facts).await);
        }
        Ok((tx, record))
    }

    /// Appends the audit entry for an allowed action and commits the transaction: the state
    /// change and its entry land together or not at all.
    pub(crate) async fn audit_and_commit(
        &self,
        who: &Principal,
        mut tx: Box<dyn StoreTx>,
        facts: &AuditFacts<'_>,
    ) -> Result<(), AppError> {
        let entry = self.audit_entry(who, facts, Outcome::Allowed);
        tx.append_audit(&[entry]).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Rolls back, ignoring a rollback failure (the original error matters more), and returns
/// `error`.
pub(crate) async fn abandon<T>(tx: Box<dyn StoreTx>, error: AppError) -> Result<T, AppError> {
    if let Err(rollback_error) = tx.rollback().await {
        tracing::warn!(error = %rollback_error, "rollback failed");
    }
    Err(error)
}

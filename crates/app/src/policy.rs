//! Changing the policy in force (ABAC-06): audited, and in effect for the next decision.

use std::sync::Arc;

use bluelamp_audit::{LogKind, NewEntry, Outcome};
use bluelamp_policy::{PolicyDiff, PolicyEngine};

use crate::gate::abandon;
use crate::{App, AppError, Principal};

/// The audit action of a policy change.
pub const POLICY_CHANGE_ACTION: &str = "policy.change";

/// What [`App::adopt_policy`] changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyChange {
    /// The fingerprint of the policy now in force (`sha256:<hex>`).
    pub fingerprint: String,
    /// The policies added, removed and changed.
    pub diff: PolicyDiff,
    /// The sequence number of the audit entry that records the change.
    pub audit_seq: u64,
}

impl crate::Inner {
    /// The policy in force. A poisoned lock (a panic while swapping, which cannot leave a
    /// half-written `Arc`) still holds a whole engine, so it is used.
    pub(crate) fn policy(&self) -> Arc<PolicyEngine> {
        match self.policy.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }
}

impl App {
    /// The fingerprint (`sha256:<hex>`) of the policy in force.
    #[must_use]
    pub fn policy_fingerprint(&self) -> String {
        self.inner.policy().fingerprint().to_owned()
    }

    /// Puts `engine` (already parsed and strictly validated) in force in place of the current
    /// policy, for every decision after this returns. The change is audited first, in its own
    /// transaction, as an alteration `policy.change` by `who` whose digest is the new
    /// fingerprint and whose text names `origin` and the policy ids added, removed and changed;
    /// when that entry cannot be written the old policy stays in force. Returns `None`, and
    /// writes nothing, when `engine` is the policy in force already.
    ///
    /// The policy files are the authority (whoever may write them may change the policy), so
    /// this is not itself a policy decision: the node calls it when the files change.
    ///
    /// # Errors
    /// [`AppError::Unavailable`] when the audit entry cannot be written (nothing changes then).
    pub async fn adopt_policy(
        &self,
        who: &Principal,
        engine: PolicyEngine,
        origin: &str,
    ) -> Result<Option<PolicyChange>, AppError> {
        let inner = &self.inner;
        let current = inner.policy();
        if current.fingerprint() == engine.fingerprint() {
            return Ok(None);
        }
        let diff = current.diff(&engine);
        let entry = NewEntry {
            at: inner.clock.now(),
            actor: who.actor_id(),
            kind: LogKind::Alteration,
            action: POLICY_CHANGE_ACTION.to_owned(),
            purpose: Some(format!("policy change from {origin}: {diff}")),
            records: Vec::new(),
            recipients: Vec::new(),
            digest: Some(engine.fingerprint().to_owned()),
            outcome: Outcome::Allowed,
        };
        let mut tx = inner.store.begin().await?;
        let seqs = match tx.append_audit(&[entry]).await {
            Ok(seqs) => seqs,
            Err(error) => return abandon(tx, error.into()).await,
        };
        tx.commit().await?;
        let fingerprint = engine.fingerprint().to_owned();
        let engine = Arc::new(engine);
        match inner.policy.write() {
            Ok(mut guard) => *guard = engine,
            Err(poisoned) => *poisoned.into_inner() = engine,
        }
        tracing::info!(%fingerprint, %diff, origin, "policy changed");
        Ok(Some(PolicyChange {
            fingerprint,
            diff,
            audit_seq: seqs.first().copied().unwrap_or_default(),
        }))
    }
}

//! Use cases on links between records.

use bluelamp_audit::LogKind;
use bluelamp_domain::ids::{LinkId, RecordId};
use bluelamp_domain::link::{Link, LinkRole};
use bluelamp_domain::marking::Classification;
use bluelamp_domain::values::Purpose;
use bluelamp_policy::{Action, ResourceKind};
use chrono::{DateTime, Utc};

use crate::gate::{AuditFacts, abandon};
use crate::{App, AppError, Principal};

/// Input to [`App::link_records`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewLink {
    /// The record the link starts from (e.g. the person).
    pub from: RecordId,
    /// The record it points to (e.g. the event).
    pub to: RecordId,
    /// What the link means.
    pub role: LinkRole,
    /// Valid from; now when absent.
    pub valid_from: Option<DateTime<Utc>>,
    /// Valid until; open-ended when absent.
    pub valid_to: Option<DateTime<Utc>>,
}

impl App {
    /// Links two records with a role. Both must exist and the role must fit their kinds.
    /// Audited as s.62 collection naming both records.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn link_records(&self, who: &Principal, input: NewLink) -> Result<Link, AppError> {
        let inner = &self.inner;
        let link_id = LinkId::new();
        let facts = AuditFacts {
            kind: LogKind::Collection,
            action: Action::LinkRecords,
            purpose: None,
            records: vec![*input.from.as_uuid(), *input.to.as_uuid()],
        };
        let resource = inner.resource(
            ResourceKind::Link,
            link_id.to_string(),
            Classification::Official,
            false,
        );
        inner.authorise(who, &resource, &facts).await?;

        let mut tx = inner.store.begin().await?;
        let from = match tx.get_record(input.from).await {
            Ok(Some(record)) => record,
            Ok(None) => return abandon(tx, missing("from", input.from)).await,
            Err(error) => return abandon(tx, error.into()).await,
        };
        let to = match tx.get_record(input.to).await {
            Ok(Some(record)) => record,
            Ok(None) => return abandon(tx, missing("to", input.to)).await,
            Err(error) => return abandon(tx, error.into()).await,
        };
        if !input.role.allows(from.kind(), to.kind()) {
            let message = format!(
                "role {} cannot link a {} to a {}",
                input.role,
                from.kind().as_str(),
                to.kind().as_str()
            );
            return abandon(tx, AppError::invalid("role", "role_not_allowed", message)).await;
        }
        let valid_from = input.valid_from.unwrap_or_else(|| inner.clock.now());
        let link = match Link::new(
            link_id,
            input.from,
            input.to,
            input.role,
            valid_from,
            input.valid_to,
        ) {
            Ok(link) => link,
            Err(error) => {
                return abandon(
                    tx,
                    AppError::invalid("valid_to", "invalid_period", error.to_string()),
                )
                .await;
            }
        };
        if let Err(error) = tx.insert_link(&link).await {
            return abandon(tx, error.into()).await;
        }
        inner.audit_and_commit(who, tx, &facts).await?;
        Ok(link)
    }

    /// Every link of a record, for a stated purpose. Audited as s.62 consultation naming the
    /// record and every linked record.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id(), record = %id))]
    pub async fn links_of(
        &self,
        who: &Principal,
        id: RecordId,
        purpose: &Purpose,
    ) -> Result<Vec<Link>, AppError> {
        let inner = &self.inner;
        let mut facts = AuditFacts {
            kind: LogKind::Consultation,
            action: Action::ReadLinks,
            purpose: Some(purpose.as_str()),
            records: vec![*id.as_uuid()],
        };
        // The links of a record are as sensitive as the record itself.
        let (mut tx, _record) = inner
            .begin_consultation(who, id, &facts, |inner, record| {
                inner.resource(
                    ResourceKind::Link,
                    record.id.to_string(),
                    record.marking.classification(),
                    record.marking.is_sensitive(),
                )
            })
            .await?;
        let links = match tx.links_of(id).await {
            Ok(links) => links,
            Err(error) => return abandon(tx, error.into()).await,
        };
        for link in &links {
            let other = if link.from() == id {
                link.to()
            } else {
                link.from()
            };
            facts.records.push(*other.as_uuid());
        }
        inner.audit_and_commit(who, tx, &facts).await?;
        Ok(links)
    }
}

fn missing(field: &str, id: RecordId) -> AppError {
    AppError::invalid(
        field,
        "unknown_record",
        format!("record {id} does not exist"),
    )
}

//! One POLE record as a workspace page shows it: the record, its links, and the linked
//! records the viewer may read — in one s.62 consultation naming every record shown.

use bluelamp_audit::LogKind;
use bluelamp_domain::ids::RecordId;
use bluelamp_domain::link::Link;
use bluelamp_domain::record::Record;
use bluelamp_domain::values::Purpose;
use bluelamp_policy::Action;

use crate::gate::{AuditFacts, abandon};
use crate::{App, AppError, Principal};

/// A link of the record shown, with the record at its other end when the viewer may read
/// it (`None` when the policy withholds it: the link is still shown, its content is not).
#[derive(Clone, Debug, PartialEq)]
pub struct LinkedRecord {
    /// The link.
    pub link: Link,
    /// Whether the record shown is the link's `from` end (e.g. the person who is the
    /// victim of an event).
    pub outgoing: bool,
    /// The record at the other end, if the viewer may read it.
    pub other: Option<Record>,
}

/// A record with its links, for a record page.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordView {
    /// The record.
    pub record: Record,
    /// Its links, with the records at their other ends.
    pub links: Vec<LinkedRecord>,
}

impl App {
    /// A record with its links and the linked records the viewer may read, for a stated
    /// purpose: what a person, vehicle, location or event page shows. Needs `record.read` on
    /// the record and `link.read` on its links (as [`App::read_record`] and [`App::links_of`]);
    /// each linked record is shown only if `record.read` allows it. Audited as one s.62
    /// consultation naming the record and every linked record shown.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id(), record = %id))]
    pub async fn record_view(
        &self,
        who: &Principal,
        id: RecordId,
        purpose: &Purpose,
    ) -> Result<RecordView, AppError> {
        let inner = &self.inner;
        let mut facts = AuditFacts {
            kind: LogKind::Consultation,
            action: Action::ReadRecord,
            purpose: Some(purpose.as_str()),
            records: vec![*id.as_uuid()],
        };
        let (mut tx, record) = inner
            .begin_consultation(who, id, &facts, |inner, record| inner.resource_of(record))
            .await?;
        let links_resource = inner.resource(
            bluelamp_policy::ResourceKind::Link,
            record.id.to_string(),
            record.marking.classification(),
            record.marking.is_sensitive(),
        );
        let read_links = AuditFacts {
            kind: LogKind::Consultation,
            action: Action::ReadLinks,
            purpose: Some(purpose.as_str()),
            records: Vec::new(),
        };
        let mut links = Vec::new();
        if inner.decide(who, &links_resource, &read_links) {
            let found = match tx.links_of(id).await {
                Ok(found) => found,
                Err(error) => return abandon(tx, error.into()).await,
            };
            for link in found {
                let outgoing = link.from() == id;
                let other_id = if outgoing { link.to() } else { link.from() };
                let other = match tx.get_record(other_id).await {
                    Ok(other) => other,
                    Err(error) => return abandon(tx, error.into()).await,
                };
                let other = other.filter(|other| {
                    let resource = inner.resource_of(other);
                    inner.decide(
                        who,
                        &resource,
                        &AuditFacts {
                            kind: LogKind::Consultation,
                            action: Action::ReadRecord,
                            purpose: Some(purpose.as_str()),
                            records: Vec::new(),
                        },
                    )
                });
                if let Some(other) = &other {
                    facts.records.push(*other.id.as_uuid());
                }
                links.push(LinkedRecord {
                    link,
                    outgoing,
                    other,
                });
            }
        }
        inner.audit_and_commit(who, tx, &facts).await?;
        let mut record = record;
        inner.redact(who, &mut record, purpose.as_str());
        for linked in &mut links {
            if let Some(other) = &mut linked.other {
                inner.redact(who, other, purpose.as_str());
            }
        }
        Ok(RecordView { record, links })
    }
}

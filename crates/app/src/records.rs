//! Use cases on POLE records: create, read, list.

use bluelamp_audit::LogKind;
use bluelamp_domain::handling::Handling;
use bluelamp_domain::ids::RecordId;
use bluelamp_domain::ids::RecordKind;
use bluelamp_domain::marking::Classification;
use bluelamp_domain::marking::Marking;
use bluelamp_domain::provenance::{Channel, LawfulBasis, Provenance};
use bluelamp_domain::record::{Record, RecordBody};
use bluelamp_domain::retention::{Retention, RetentionGroup};
use bluelamp_domain::values::Purpose;
use bluelamp_policy::{Action, ResourceKind};
use chrono::NaiveDate;

use crate::gate::{AuditFacts, abandon};
use crate::{App, AppError, Principal, validate};

/// Input to [`App::create_record`]: what the caller says; the id, provenance and review date
/// are the application's to set.
#[derive(Clone, Debug)]
pub struct NewRecord {
    /// Security classification and handling.
    pub marking: Marking,
    /// Lawful basis for processing (a code from the reference data).
    pub lawful_basis: LawfulBasis,
    /// MoPI retention group (a code from the reference data).
    pub retention_group: RetentionGroup,
    /// Start of the clear period; today when absent.
    pub clear_period_start: Option<NaiveDate>,
    /// How the information reached us.
    pub channel: Channel,
    /// The person, object, location or event.
    pub body: RecordBody,
}

/// Input to [`App::list_records`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListQuery {
    /// Only records of this kind.
    pub kind: Option<RecordKind>,
    /// Only records after this id (paging).
    pub after: Option<RecordId>,
    /// At most this many (1..=500).
    pub limit: u32,
}

/// A page of records from [`App::list_records`].
#[derive(Clone, Debug, PartialEq)]
pub struct RecordPage {
    /// The records the caller may read, in creation order.
    pub records: Vec<Record>,
    /// Pass as `after` to get the next page; `None` when the store has no more. A page may be
    /// short (or empty) while more follow, when records the caller may not read were left out.
    pub next_after: Option<RecordId>,
}

/// Largest page [`App::list_records`] returns.
pub const MAX_PAGE: u32 = 500;

impl App {
    /// Creates a POLE record. Audited as s.62 collection.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn create_record(
        &self,
        who: &Principal,
        input: NewRecord,
    ) -> Result<Record, AppError> {
        let inner = &self.inner;
        let now = inner.clock.now();
        let today = now.date_naive();
        let record_id = RecordId::new();
        let facts = AuditFacts {
            kind: LogKind::Collection,
            action: Action::CreateRecord,
            purpose: None,
            records: vec![*record_id.as_uuid()],
        };
        // Unknown caveats are named before the policy sees them (it treats any caveat it
        // does not know as controlled, and would only refuse).
        validate::caveats(&inner.refdata, &input.marking, today)?;
        let resource = inner.record_resource(
            input.body.kind(),
            record_id,
            &input.marking,
            &Handling::default(),
        );
        inner.authorise(who, &resource, &facts).await?;

        validate::record_codes(&inner.refdata, &input, today)?;
        let clear_period_start = input.clear_period_start.unwrap_or(today);
        let rule = validate::retention_rule(&inner.refdata, &input.retention_group, today)?;
        let date_of_birth = match &input.body {
            RecordBody::Person(person) => person.date_of_birth.as_ref().map(|dob| dob.date()),
            _ => None,
        };
        let next_review =
            bluelamp_domain::retention::next_review_date(&rule, clear_period_start, date_of_birth);
        let record = Record {
            id: record_id,
            marking: input.marking,
            provenance: Provenance {
                channel: input.channel,
                lawful_basis: input.lawful_basis,
                recorded_by: who.actor_id(),
                recorded_at: now,
            },
            retention: Retention {
                group: input.retention_group,
                clear_period_start,
                next_review,
            },
            body: input.body,
            handling: Default::default(),
            withheld: Vec::new(),
        };

        let mut tx = inner.store.begin().await?;
        if let Err(error) = tx.insert_record(&record).await {
            return abandon(tx, error.into()).await;
        }
        inner.audit_and_commit(who, tx, &facts).await?;
        Ok(record)
    }

    /// Reads one record for a stated purpose. Audited as s.62 consultation; a refusal is
    /// audited too.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id(), record = %id))]
    pub async fn read_record(
        &self,
        who: &Principal,
        id: RecordId,
        purpose: &Purpose,
    ) -> Result<Record, AppError> {
        let inner = &self.inner;
        let facts = AuditFacts {
            kind: LogKind::Consultation,
            action: Action::ReadRecord,
            purpose: Some(purpose.as_str()),
            records: vec![*id.as_uuid()],
        };
        let (tx, mut record) = inner
            .begin_consultation(who, id, &facts, |inner, record| inner.resource_of(record))
            .await?;
        inner.audit_and_commit(who, tx, &facts).await?;
        inner.redact(who, &mut record, purpose.as_str());
        Ok(record)
    }

    /// Lists records (a page) for a stated purpose. Audited as one s.62 consultation naming
    /// every record returned.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn list_records(
        &self,
        who: &Principal,
        query: ListQuery,
        purpose: &Purpose,
    ) -> Result<RecordPage, AppError> {
        let inner = &self.inner;
        if query.limit == 0 || query.limit > MAX_PAGE {
            return Err(AppError::invalid(
                "limit",
                "out_of_range",
                format!("limit must be between 1 and {MAX_PAGE}"),
            ));
        }
        let mut facts = AuditFacts {
            kind: LogKind::Consultation,
            action: Action::ListRecords,
            purpose: Some(purpose.as_str()),
            records: Vec::new(),
        };
        let collection = inner.resource(
            ResourceKind::RecordCollection,
            "records".to_owned(),
            Classification::Official,
            false,
        );
        inner.authorise(who, &collection, &facts).await?;
        let mut tx = inner.store.begin().await?;
        let records = match tx.list_records(query.kind, query.after, query.limit).await {
            Ok(records) => records,
            Err(error) => return abandon(tx, error.into()).await,
        };
        let page_is_full = u32::try_from(records.len()).is_ok_and(|count| count >= query.limit);
        let next_after = if page_is_full {
            records.last().map(|record| record.id)
        } else {
            None
        };
        // Only what this principal may read individually is returned.
        let visible: Vec<Record> = records
            .into_iter()
            .filter(|record| {
                let resource = inner.resource_of(record);
                let read = AuditFacts {
                    kind: LogKind::Consultation,
                    action: Action::ReadRecord,
                    purpose: Some(purpose.as_str()),
                    records: Vec::new(),
                };
                inner.decide(who, &resource, &read)
            })
            .collect();
        facts.records = visible.iter().map(|record| *record.id.as_uuid()).collect();
        inner.audit_and_commit(who, tx, &facts).await?;
        let visible = visible
            .into_iter()
            .map(|mut record| {
                inner.redact(who, &mut record, purpose.as_str());
                record
            })
            .collect();
        Ok(RecordPage {
            records: visible,
            next_after,
        })
    }
}

//! The PostgreSQL unit of work: [`PgTx`].

use std::fmt;

use async_trait::async_trait;
use bluelamp_audit::NewEntry;
use bluelamp_audit::truncate_to_micros;
use bluelamp_domain::ids::{LinkId, RecordId, RecordKind};
use bluelamp_domain::link::Link;
use bluelamp_domain::record::Record;
use bluelamp_store::rows::json_text;
use bluelamp_store::{
    AuditAppender, AuditFilter, AuditReader, KeyMatch, LinkRepo, OneTimeCodeRow, RecordRepo,
    ReportRepo, ReportRow, ReportUpdateRow, StaffRepo, StaffRow, StoreError, StoreResult, StoreTx,
    StoredAuditRow,
};
use chrono::{DateTime, Utc};
use sqlx::Row as _;
use sqlx::postgres::Postgres;
use uuid::Uuid;

use crate::convert::{
    database_error, link_columns, link_from_row, number_audit_entries, one_time_code_from_row,
    record_columns, record_from_row, report_from_row, report_update_from_row, staff_from_row,
    u32_from_i64, u64_from_i64,
};
use crate::{audit_index, search};

/// Records per `INSERT ... SELECT FROM UNNEST(...)` in [`RecordRepo::insert_records`].
const RECORDS_PER_INSERT: usize = 5_000;

/// One write transaction on a pooled connection.
///
/// Dropping it without [`StoreTx::commit`] rolls it back.
pub struct PgTx {
    /// The open transaction.
    pub(crate) transaction: sqlx::Transaction<'static, Postgres>,
    /// Whether a record, link, account, report, timeline entry or one-time code was written.
    pub(crate) changed_state: bool,
    /// Whether at least one audit entry was appended.
    appended_audit: bool,
}

impl fmt::Debug for PgTx {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("PgTx")
            .field("changed_state", &self.changed_state)
            .field("appended_audit", &self.appended_audit)
            .finish_non_exhaustive()
    }
}

impl PgTx {
    /// Wraps a transaction that has just begun.
    pub(crate) fn new(transaction: sqlx::Transaction<'static, Postgres>) -> Self {
        Self {
            transaction,
            changed_state: false,
            appended_audit: false,
        }
    }
}

#[async_trait]
impl RecordRepo for PgTx {
    async fn insert_record(&mut self, record: &Record) -> StoreResult<()> {
        let columns = record_columns(record)?;
        let inserted = sqlx::query(
            "INSERT INTO records \
             (id, kind, classification, sensitive, next_review, created_at, body) \
             VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) ON CONFLICT (id) DO NOTHING",
        )
        .bind(columns.id)
        .bind(columns.kind)
        .bind(&columns.classification)
        .bind(columns.sensitive)
        .bind(columns.next_review)
        .bind(columns.created_at)
        .bind(&columns.body)
        .execute(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::AlreadyExists {
                what: "record",
                id: record.id.to_string(),
            });
        }
        self.changed_state = true;
        search::insert_keys(
            &mut self.transaction,
            &search::key_rows(std::slice::from_ref(record)),
        )
        .await
    }

    async fn insert_records(&mut self, records: &[Record]) -> StoreResult<()> {
        for chunk in records.chunks(RECORDS_PER_INSERT) {
            let columns = chunk
                .iter()
                .map(record_columns)
                .collect::<StoreResult<Vec<_>>>()?;
            let ids: Vec<Uuid> = columns.iter().map(|c| c.id).collect();
            let kinds: Vec<&str> = columns.iter().map(|c| c.kind).collect();
            let classifications: Vec<&str> =
                columns.iter().map(|c| c.classification.as_str()).collect();
            let sensitive: Vec<bool> = columns.iter().map(|c| c.sensitive).collect();
            let next_review: Vec<chrono::NaiveDate> =
                columns.iter().map(|c| c.next_review).collect();
            let created_at: Vec<DateTime<Utc>> = columns.iter().map(|c| c.created_at).collect();
            let bodies: Vec<&str> = columns.iter().map(|c| c.body.as_str()).collect();
            let inserted = sqlx::query(
                "INSERT INTO records \
                 (id, kind, classification, sensitive, next_review, created_at, body) \
                 SELECT id, kind, classification, sensitive, next_review, created_at, body::jsonb \
                 FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::bool[], $5::date[], \
                 $6::timestamptz[], $7::text[]) \
                 AS t (id, kind, classification, sensitive, next_review, created_at, body) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(&ids)
            .bind(&kinds)
            .bind(&classifications)
            .bind(&sensitive)
            .bind(&next_review)
            .bind(&created_at)
            .bind(&bodies)
            .execute(&mut *self.transaction)
            .await
            .map_err(database_error)?
            .rows_affected();
            if usize::try_from(inserted).ok() != Some(chunk.len()) {
                return Err(StoreError::AlreadyExists {
                    what: "record",
                    id: "in the batch".to_owned(),
                });
            }
            self.changed_state = true;
            search::insert_keys(&mut self.transaction, &search::key_rows(chunk)).await?;
        }
        Ok(())
    }

    async fn update_record(&mut self, record: &Record) -> StoreResult<()> {
        let columns = record_columns(record)?;
        let updated = sqlx::query(
            "UPDATE records SET kind = $1, classification = $2, sensitive = $3, \
             next_review = $4, created_at = $5, body = $6::jsonb WHERE id = $7",
        )
        .bind(columns.kind)
        .bind(&columns.classification)
        .bind(columns.sensitive)
        .bind(columns.next_review)
        .bind(columns.created_at)
        .bind(&columns.body)
        .bind(columns.id)
        .execute(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .rows_affected();
        if updated == 0 {
            return Err(StoreError::NotFound {
                what: "record",
                id: record.id.to_string(),
            });
        }
        self.changed_state = true;
        search::replace_keys(&mut self.transaction, record).await
    }

    async fn get_records(&mut self, ids: &[RecordId]) -> StoreResult<Vec<Record>> {
        let ids: Vec<Uuid> = ids.iter().map(|id| *id.as_uuid()).collect();
        let rows = sqlx::query("SELECT body::text AS body FROM records WHERE id = ANY($1)")
            .bind(&ids)
            .fetch_all(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        rows.iter().map(record_from_row).collect()
    }

    async fn search_keys(
        &mut self,
        keys: &[String],
        kind: Option<RecordKind>,
        limit: u32,
    ) -> StoreResult<Vec<KeyMatch>> {
        search::search(&mut self.transaction, keys, kind, limit).await
    }

    async fn get_record(&mut self, id: RecordId) -> StoreResult<Option<Record>> {
        let row = sqlx::query("SELECT body::text AS body FROM records WHERE id = $1")
            .bind(*id.as_uuid())
            .fetch_optional(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        row.as_ref().map(record_from_row).transpose()
    }

    async fn search_scheme(&mut self) -> StoreResult<u32> {
        let scheme: i64 = sqlx::query_scalar("SELECT scheme FROM search_scheme")
            .fetch_one(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        u32_from_i64(scheme, "search_scheme.scheme")
    }

    async fn set_search_scheme(&mut self, scheme: u32) -> StoreResult<()> {
        sqlx::query("UPDATE search_scheme SET scheme = $1")
            .bind(i64::from(scheme))
            .execute(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        Ok(())
    }

    async fn reindex_records(
        &mut self,
        after: Option<RecordId>,
        limit: u32,
    ) -> StoreResult<Option<(RecordId, usize)>> {
        let records = self.list_records(None, after, limit).await?;
        let (Some(first), Some(last)) = (records.first(), records.last()) else {
            return Ok(None);
        };
        sqlx::query("DELETE FROM search_keys WHERE record_id BETWEEN $1 AND $2")
            .bind(*first.id.as_uuid())
            .bind(*last.id.as_uuid())
            .execute(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        // The index is derived from the records, not state of its own: no audit entry needed.
        search::insert_keys(&mut self.transaction, &search::key_rows(&records)).await?;
        Ok(Some((last.id, records.len())))
    }

    async fn list_records(
        &mut self,
        kind: Option<RecordKind>,
        after: Option<RecordId>,
        limit: u32,
    ) -> StoreResult<Vec<Record>> {
        let after = after.map(|id| *id.as_uuid());
        let limit = i64::from(limit);
        let query = match (kind, after) {
            (None, None) => {
                sqlx::query("SELECT body::text AS body FROM records ORDER BY id LIMIT $1")
                    .bind(limit)
            }
            (None, Some(after)) => sqlx::query(
                "SELECT body::text AS body FROM records WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(after)
            .bind(limit),
            (Some(kind), None) => sqlx::query(
                "SELECT body::text AS body FROM records WHERE kind = $1 ORDER BY id LIMIT $2",
            )
            .bind(kind.as_str())
            .bind(limit),
            (Some(kind), Some(after)) => sqlx::query(
                "SELECT body::text AS body FROM records WHERE kind = $1 AND id > $2 \
                 ORDER BY id LIMIT $3",
            )
            .bind(kind.as_str())
            .bind(after)
            .bind(limit),
        };
        let rows = query
            .fetch_all(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        rows.iter().map(record_from_row).collect()
    }
}

#[async_trait]
impl LinkRepo for PgTx {
    async fn insert_link(&mut self, link: &Link) -> StoreResult<()> {
        let columns = link_columns(link)?;
        // Check both ends first: a foreign key failure would abort the transaction and would
        // not say which end is missing.
        let existing: Vec<Uuid> = sqlx::query("SELECT id FROM records WHERE id = ANY($1)")
            .bind([columns.from_id, columns.to_id].as_slice())
            .fetch_all(&mut *self.transaction)
            .await
            .map_err(database_error)?
            .iter()
            .map(|row| row.try_get("id"))
            .collect::<Result<_, _>>()
            .map_err(database_error)?;
        for (end, id) in [(&columns.from_id, link.from()), (&columns.to_id, link.to())] {
            if !existing.contains(end) {
                return Err(StoreError::NotFound {
                    what: "record",
                    id: id.to_string(),
                });
            }
        }
        let inserted = sqlx::query(
            "INSERT INTO links (id, from_id, to_id, role, valid_from, valid_to, body) \
             VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) ON CONFLICT (id) DO NOTHING",
        )
        .bind(columns.id)
        .bind(columns.from_id)
        .bind(columns.to_id)
        .bind(&columns.role)
        .bind(columns.valid_from)
        .bind(columns.valid_to)
        .bind(&columns.body)
        .execute(&mut *self.transaction)
        .await
        .map_err(|error| link_insert_error(error, link))?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::AlreadyExists {
                what: "link",
                id: link.id().to_string(),
            });
        }
        self.changed_state = true;
        Ok(())
    }

    async fn get_link(&mut self, id: LinkId) -> StoreResult<Option<Link>> {
        let row = sqlx::query("SELECT body::text AS body FROM links WHERE id = $1")
            .bind(*id.as_uuid())
            .fetch_optional(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        row.as_ref().map(link_from_row).transpose()
    }

    async fn links_of(&mut self, id: RecordId) -> StoreResult<Vec<Link>> {
        let rows = sqlx::query(
            "SELECT id, body::text AS body FROM links WHERE from_id = $1 \
             UNION SELECT id, body::text AS body FROM links WHERE to_id = $1 ORDER BY id",
        )
        .bind(*id.as_uuid())
        .fetch_all(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        rows.iter().map(link_from_row).collect()
    }
}

/// Maps a failed link insert: a foreign key failure (an end deleted since the check) is
/// [`StoreError::NotFound`].
fn link_insert_error(error: sqlx::Error, link: &Link) -> StoreError {
    let is_foreign_key = error
        .as_database_error()
        .is_some_and(|database| database.is_foreign_key_violation());
    if is_foreign_key {
        StoreError::NotFound {
            what: "record",
            id: format!("{} or {}", link.from(), link.to()),
        }
    } else {
        database_error(error)
    }
}

#[async_trait]
impl StaffRepo for PgTx {
    async fn insert_staff(&mut self, staff: &StaffRow) -> StoreResult<()> {
        let id = *staff.id.as_uuid();
        let inserted = sqlx::query(
            "INSERT INTO staff \
             (id, username, display_name, role, force, token_hash, active, created_at, \
              clearance, caveats) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(&staff.username)
        .bind(&staff.display_name)
        .bind(&staff.role)
        .bind(&staff.force)
        .bind(staff.token_hash.as_slice())
        .bind(staff.active)
        .bind(staff.created_at)
        .bind(&staff.vetting.clearance)
        .bind(&staff.vetting.caveats)
        .execute(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .rows_affected();
        if inserted == 1 {
            self.changed_state = true;
            return Ok(());
        }
        // Say which unique key collided.
        let row = sqlx::query(
            "SELECT EXISTS (SELECT 1 FROM staff WHERE id = $1) AS id_taken, \
             EXISTS (SELECT 1 FROM staff WHERE username = $2) AS username_taken",
        )
        .bind(id)
        .bind(&staff.username)
        .fetch_one(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        let id_taken: bool = row.try_get("id_taken").map_err(database_error)?;
        let username_taken: bool = row.try_get("username_taken").map_err(database_error)?;
        Err(if id_taken {
            StoreError::AlreadyExists {
                what: "staff account",
                id: staff.id.to_string(),
            }
        } else if username_taken {
            StoreError::AlreadyExists {
                what: "username",
                id: staff.username.clone(),
            }
        } else {
            StoreError::AlreadyExists {
                what: "API token",
                id: "(hash withheld)".to_owned(),
            }
        })
    }

    async fn staff_by_username(&mut self, username: &str) -> StoreResult<Option<StaffRow>> {
        let row = sqlx::query(
            "SELECT s.id, s.username, s.display_name, s.role, s.force, s.token_hash, s.active, \
             s.created_at, s.clearance, s.caveats, \
             (SELECT i.team_id FROM staff_identity i WHERE i.staff_id = s.id) AS team_id \
             FROM staff s WHERE s.username = $1",
        )
        .bind(username)
        .fetch_optional(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        row.as_ref().map(staff_from_row).transpose()
    }
}

/// The columns of `reports` that [`report_from_row`] decodes, in select-list form.
macro_rules! report_columns {
    () => {
        "reference, kind, status, event_id, reporter_id, contact_email, idempotency_key, \
         submitted_at, updated_at, crime_number, officer, outcome, details::text AS details"
    };
}

/// The columns of `report_updates` that [`report_update_from_row`] decodes.
macro_rules! report_update_columns {
    () => {
        "id, reference, at, kind, author, author_name, text, data::text AS data"
    };
}

/// The columns of `one_time_codes` that [`one_time_code_from_row`] decodes.
macro_rules! one_time_code_columns {
    () => {
        "id, reference, code_hash, created_at, expires_at, used_at, failed_attempts"
    };
}

impl PgTx {
    /// Fails with [`StoreError::NotFound`] naming the first of `ids` that is not a stored
    /// record.
    async fn require_records(&mut self, ids: &[RecordId]) -> StoreResult<()> {
        let wanted: Vec<Uuid> = ids.iter().map(|id| *id.as_uuid()).collect();
        let existing: Vec<Uuid> = sqlx::query("SELECT id FROM records WHERE id = ANY($1)")
            .bind(wanted.as_slice())
            .fetch_all(&mut *self.transaction)
            .await
            .map_err(database_error)?
            .iter()
            .map(|row| row.try_get("id"))
            .collect::<Result<_, _>>()
            .map_err(database_error)?;
        match ids.iter().find(|id| !existing.contains(id.as_uuid())) {
            Some(missing) => Err(StoreError::NotFound {
                what: "record",
                id: missing.to_string(),
            }),
            None => Ok(()),
        }
    }

    /// Fails with [`StoreError::NotFound`] unless a report has this reference.
    async fn require_report(&mut self, reference: &str) -> StoreResult<()> {
        let found: bool =
            sqlx::query("SELECT EXISTS (SELECT 1 FROM reports WHERE reference = $1) AS found")
                .bind(reference)
                .fetch_one(&mut *self.transaction)
                .await
                .map_err(database_error)?
                .try_get("found")
                .map_err(database_error)?;
        if found {
            Ok(())
        } else {
            Err(StoreError::NotFound {
                what: "report",
                id: reference.to_owned(),
            })
        }
    }
}

#[async_trait]
impl ReportRepo for PgTx {
    async fn insert_report(&mut self, report: &ReportRow) -> StoreResult<()> {
        // Check the records first: a foreign key failure would abort the transaction and would
        // not say which one is missing.
        let required: Vec<RecordId> = std::iter::once(report.event_id)
            .chain(report.reporter_id)
            .collect();
        self.require_records(&required).await?;
        let details = json_text(&report.details, "report details")?;
        let inserted = sqlx::query(
            "INSERT INTO reports \
             (reference, kind, status, event_id, reporter_id, contact_email, idempotency_key, \
             submitted_at, updated_at, crime_number, officer, outcome, details) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&report.reference)
        .bind(&report.kind)
        .bind(&report.status)
        .bind(*report.event_id.as_uuid())
        .bind(report.reporter_id.map(|id| *id.as_uuid()))
        .bind(&report.contact_email)
        .bind(&report.idempotency_key)
        .bind(truncate_to_micros(report.submitted_at))
        .bind(truncate_to_micros(report.updated_at))
        .bind(&report.crime_number)
        .bind(&report.officer)
        .bind(&report.outcome)
        .bind(&details)
        .execute(&mut *self.transaction)
        .await
        .map_err(|error| {
            missing_parent(error, "record", || {
                let reporter = report
                    .reporter_id
                    .map(|id| format!(" or {id}"))
                    .unwrap_or_default();
                format!("{}{reporter}", report.event_id)
            })
        })?
        .rows_affected();
        if inserted == 1 {
            self.changed_state = true;
            return Ok(());
        }
        // Say which unique key collided.
        let reference_taken: bool =
            sqlx::query("SELECT EXISTS (SELECT 1 FROM reports WHERE reference = $1) AS taken")
                .bind(&report.reference)
                .fetch_one(&mut *self.transaction)
                .await
                .map_err(database_error)?
                .try_get("taken")
                .map_err(database_error)?;
        Err(StoreError::AlreadyExists {
            what: "report",
            id: if reference_taken {
                report.reference.clone()
            } else {
                report.idempotency_key.clone()
            },
        })
    }

    async fn update_report(&mut self, report: &ReportRow) -> StoreResult<()> {
        let details = json_text(&report.details, "report details")?;
        let updated = sqlx::query(
            "UPDATE reports SET status = $1, updated_at = $2, crime_number = $3, officer = $4, \
             outcome = $5, details = $6::jsonb, contact_email = $7 WHERE reference = $8",
        )
        .bind(&report.status)
        .bind(truncate_to_micros(report.updated_at))
        .bind(&report.crime_number)
        .bind(&report.officer)
        .bind(&report.outcome)
        .bind(&details)
        .bind(&report.contact_email)
        .bind(&report.reference)
        .execute(&mut *self.transaction)
        .await
        .map_err(|error| crime_number_taken(error, report))?
        .rows_affected();
        if updated == 0 {
            return Err(StoreError::NotFound {
                what: "report",
                id: report.reference.clone(),
            });
        }
        self.changed_state = true;
        Ok(())
    }

    async fn report_by_reference(&mut self, reference: &str) -> StoreResult<Option<ReportRow>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            report_columns!(),
            " FROM reports WHERE reference = $1 FOR UPDATE"
        ))
        .bind(reference)
        .fetch_optional(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        row.as_ref().map(report_from_row).transpose()
    }

    async fn report_by_idempotency_key(&mut self, key: &str) -> StoreResult<Option<ReportRow>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            report_columns!(),
            " FROM reports WHERE idempotency_key = $1"
        ))
        .bind(key)
        .fetch_optional(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        row.as_ref().map(report_from_row).transpose()
    }

    async fn list_reports(
        &mut self,
        status: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<ReportRow>> {
        let limit = i64::from(limit);
        let query = match status {
            None => sqlx::query(concat!(
                "SELECT ",
                report_columns!(),
                " FROM reports ORDER BY submitted_at DESC, reference LIMIT $1"
            ))
            .bind(limit),
            Some(status) => sqlx::query(concat!(
                "SELECT ",
                report_columns!(),
                " FROM reports WHERE status = $1 ORDER BY submitted_at DESC, reference LIMIT $2"
            ))
            .bind(status)
            .bind(limit),
        };
        let rows = query
            .fetch_all(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        rows.iter().map(report_from_row).collect()
    }

    async fn insert_report_update(&mut self, update: &ReportUpdateRow) -> StoreResult<()> {
        self.require_report(&update.reference).await?;
        let data = json_text(&update.data, "report update data")?;
        let inserted = sqlx::query(
            "INSERT INTO report_updates \
             (id, reference, at, kind, author, author_name, text, data) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) ON CONFLICT (id) DO NOTHING",
        )
        .bind(update.id)
        .bind(&update.reference)
        .bind(truncate_to_micros(update.at))
        .bind(&update.kind)
        .bind(&update.author)
        .bind(&update.author_name)
        .bind(&update.text)
        .bind(&data)
        .execute(&mut *self.transaction)
        .await
        .map_err(|error| missing_parent(error, "report", || update.reference.clone()))?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::AlreadyExists {
                what: "report update",
                id: update.id.to_string(),
            });
        }
        self.changed_state = true;
        Ok(())
    }

    async fn report_updates(&mut self, reference: &str) -> StoreResult<Vec<ReportUpdateRow>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            report_update_columns!(),
            " FROM report_updates WHERE reference = $1 ORDER BY id"
        ))
        .bind(reference)
        .fetch_all(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        rows.iter().map(report_update_from_row).collect()
    }

    async fn insert_one_time_code(&mut self, code: &OneTimeCodeRow) -> StoreResult<()> {
        self.require_report(&code.reference).await?;
        let inserted = sqlx::query(
            "INSERT INTO one_time_codes \
             (id, reference, code_hash, created_at, expires_at, used_at, failed_attempts) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
        )
        .bind(code.id)
        .bind(&code.reference)
        .bind(code.code_hash.as_slice())
        .bind(truncate_to_micros(code.created_at))
        .bind(truncate_to_micros(code.expires_at))
        .bind(code.used_at.map(truncate_to_micros))
        .bind(i64::from(code.failed_attempts))
        .execute(&mut *self.transaction)
        .await
        .map_err(|error| missing_parent(error, "report", || code.reference.clone()))?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::AlreadyExists {
                what: "one-time code",
                id: code.id.to_string(),
            });
        }
        self.changed_state = true;
        Ok(())
    }

    async fn latest_one_time_code(
        &mut self,
        reference: &str,
    ) -> StoreResult<Option<OneTimeCodeRow>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            one_time_code_columns!(),
            " FROM one_time_codes WHERE reference = $1 \
             ORDER BY created_at DESC, id DESC LIMIT 1"
        ))
        .bind(reference)
        .fetch_optional(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        row.as_ref().map(one_time_code_from_row).transpose()
    }

    async fn update_one_time_code(&mut self, code: &OneTimeCodeRow) -> StoreResult<()> {
        let updated = sqlx::query(
            "UPDATE one_time_codes SET used_at = $1, failed_attempts = $2 WHERE id = $3",
        )
        .bind(code.used_at.map(truncate_to_micros))
        .bind(i64::from(code.failed_attempts))
        .bind(code.id)
        .execute(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .rows_affected();
        if updated == 0 {
            return Err(StoreError::NotFound {
                what: "one-time code",
                id: code.id.to_string(),
            });
        }
        self.changed_state = true;
        Ok(())
    }

    async fn count_one_time_codes_since(
        &mut self,
        reference: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<u32> {
        let count: i64 = sqlx::query(
            "SELECT COUNT(*) AS count FROM one_time_codes \
             WHERE reference = $1 AND created_at >= $2",
        )
        .bind(reference)
        .bind(truncate_to_micros(since))
        .fetch_one(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .try_get("count")
        .map_err(database_error)?;
        u32_from_i64(count, "one-time code count")
    }
}

/// Maps a failed report update: a unique violation is another report holding the crime
/// number ([`StoreError::AlreadyExists`]).
fn crime_number_taken(error: sqlx::Error, report: &ReportRow) -> StoreError {
    let is_unique = error
        .as_database_error()
        .is_some_and(|database| database.is_unique_violation());
    if is_unique {
        StoreError::AlreadyExists {
            what: "crime number",
            id: report.crime_number.clone().unwrap_or_default(),
        }
    } else {
        database_error(error)
    }
}

/// Maps a failed insert: a foreign key failure (the parent row deleted since the check) is
/// [`StoreError::NotFound`] for `what`, naming `id()`.
fn missing_parent(
    error: sqlx::Error,
    what: &'static str,
    id: impl FnOnce() -> String,
) -> StoreError {
    let is_foreign_key = error
        .as_database_error()
        .is_some_and(|database| database.is_foreign_key_violation());
    if is_foreign_key {
        StoreError::NotFound { what, id: id() }
    } else {
        database_error(error)
    }
}

#[async_trait]
impl AuditAppender for PgTx {
    async fn append_audit(&mut self, entries: &[NewEntry]) -> StoreResult<Vec<u64>> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let count = i64::try_from(entries.len())
            .map_err(|_| StoreError::Database("too many audit entries".to_owned()))?;
        // Reserve the numbers. The row lock is held until this transaction ends, so concurrent
        // appenders wait here and numbers are assigned in commit order without gaps.
        let first_seq: i64 = sqlx::query(
            "UPDATE audit_head SET next_seq = next_seq + $1 RETURNING next_seq - $1 AS first_seq",
        )
        .bind(count)
        .fetch_one(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .try_get("first_seq")
        .map_err(database_error)?;
        let first_seq = u64_from_i64(first_seq, "audit sequence number")?;

        let (rows, seqs) = number_audit_entries(first_seq, entries)?;
        let mut seq_column = Vec::with_capacity(rows.len());
        let mut leaf_column = Vec::with_capacity(rows.len());
        let mut hash_column = Vec::with_capacity(rows.len());
        for row in rows {
            seq_column.push(row.seq);
            leaf_column.push(row.leaf);
            hash_column.push(row.leaf_hash.to_vec());
        }
        sqlx::query(
            "INSERT INTO audit_entries (seq, leaf, leaf_hash) \
             SELECT * FROM UNNEST($1::bigint[], $2::bytea[], $3::bytea[])",
        )
        .bind(seq_column)
        .bind(leaf_column)
        .bind(hash_column)
        .execute(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        audit_index::insert(&mut self.transaction, first_seq, entries).await?;
        self.appended_audit = true;
        Ok(seqs)
    }
}

#[async_trait]
impl AuditReader for PgTx {
    async fn search_audit(
        &mut self,
        filter: &AuditFilter,
        before: Option<u64>,
        limit: u32,
    ) -> StoreResult<Vec<StoredAuditRow>> {
        audit_index::search(&mut self.transaction, filter, before, limit).await
    }
}

#[async_trait]
impl StoreTx for PgTx {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        if self.changed_state && !self.appended_audit {
            // Report the refusal even if the rollback fails: dropping the transaction rolls it
            // back too, so nothing is committed either way.
            let _rollback_result = self.transaction.rollback().await;
            return Err(StoreError::UnauditedWrite);
        }
        self.transaction.commit().await.map_err(database_error)
    }

    async fn rollback(self: Box<Self>) -> StoreResult<()> {
        self.transaction.rollback().await.map_err(database_error)
    }
}

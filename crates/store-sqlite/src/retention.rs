//! MoPI review and disposal on SQLite: [`RetentionRepo`] for [`SqliteTx`].

use async_trait::async_trait;
use bluelamp_domain::ids::{RecordId, RecordKind};
use bluelamp_domain::record::Record;
use bluelamp_store::{
    DisposalRow, ErasedRecord, RetentionRepo, RetentionReviewRow, StoreError, StoreResult,
};
use chrono::NaiveDate;
use sqlx::sqlite::SqliteRow;

use crate::SqliteTx;
use crate::convert::{
    column, database_error, i64_from_u64, record_from_row, truncate_to_micros, u32_from_i64,
    u64_from_i64, uuid_from_text, uuid_text,
};

/// Decodes a review decision.
fn review_from_row(row: &SqliteRow) -> StoreResult<RetentionReviewRow> {
    const TABLE: &str = "retention_reviews";
    let id: String = column(row, TABLE, "id")?;
    let record_id: String = column(row, TABLE, "record_id")?;
    Ok(RetentionReviewRow {
        id: uuid_from_text(&id, "retention_reviews.id")?,
        record_id: RecordId::from_uuid(uuid_from_text(&record_id, "retention_reviews.record_id")?),
        decided_at: column(row, TABLE, "decided_at")?,
        decided_by: column(row, TABLE, "decided_by")?,
        decision: column(row, TABLE, "decision")?,
        reason: column(row, TABLE, "reason")?,
        next_review: column(row, TABLE, "next_review")?,
    })
}

/// Decodes a tombstone.
fn disposal_from_row(row: &SqliteRow) -> StoreResult<DisposalRow> {
    const TABLE: &str = "record_disposals";
    let record_id: String = column(row, TABLE, "record_id")?;
    let kind: String = column(row, TABLE, "kind")?;
    let sensitive: i64 = column(row, TABLE, "sensitive")?;
    let links_removed: i64 = column(row, TABLE, "links_removed")?;
    let audit_seq: i64 = column(row, TABLE, "audit_seq")?;
    Ok(DisposalRow {
        record_id: RecordId::from_uuid(uuid_from_text(&record_id, "record_disposals.record_id")?),
        kind: kind.parse::<RecordKind>().map_err(|error| {
            StoreError::Corrupt(format!("column record_disposals.kind: {error}"))
        })?,
        classification: column(row, TABLE, "classification")?,
        sensitive: sensitive != 0,
        retention_group: column(row, TABLE, "retention_group")?,
        disposed_at: column(row, TABLE, "disposed_at")?,
        disposed_by: column(row, TABLE, "disposed_by")?,
        reason: column(row, TABLE, "reason")?,
        links_removed: u32_from_i64(links_removed, "record_disposals.links_removed")?,
        audit_seq: u64_from_i64(audit_seq, "record_disposals.audit_seq")?,
    })
}

#[async_trait]
impl RetentionRepo for SqliteTx {
    async fn due_reviews(
        &mut self,
        on: NaiveDate,
        kind: Option<RecordKind>,
        limit: u32,
    ) -> StoreResult<Vec<Record>> {
        let query = match kind {
            None => sqlx::query(
                "SELECT body FROM records WHERE next_review <= ? \
                 ORDER BY next_review, id LIMIT ?",
            )
            .bind(on)
            .bind(i64::from(limit)),
            Some(kind) => sqlx::query(
                "SELECT body FROM records WHERE next_review <= ? AND kind = ? \
                 ORDER BY next_review, id LIMIT ?",
            )
            .bind(on)
            .bind(kind.as_str())
            .bind(i64::from(limit)),
        };
        let rows = query
            .fetch_all(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        rows.iter().map(record_from_row).collect()
    }

    async fn insert_review(&mut self, review: &RetentionReviewRow) -> StoreResult<()> {
        let inserted = sqlx::query(
            "INSERT INTO retention_reviews \
             (id, record_id, decided_at, decided_by, decision, reason, next_review) \
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        )
        .bind(uuid_text(&review.id))
        .bind(uuid_text(review.record_id.as_uuid()))
        .bind(truncate_to_micros(review.decided_at))
        .bind(&review.decided_by)
        .bind(&review.decision)
        .bind(&review.reason)
        .bind(review.next_review)
        .execute(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::AlreadyExists {
                what: "review",
                id: review.id.to_string(),
            });
        }
        self.changed_state = true;
        Ok(())
    }

    async fn reviews_of(&mut self, id: RecordId) -> StoreResult<Vec<RetentionReviewRow>> {
        let rows = sqlx::query(
            "SELECT id, record_id, decided_at, decided_by, decision, reason, next_review \
             FROM retention_reviews WHERE record_id = ? ORDER BY id",
        )
        .bind(uuid_text(id.as_uuid()))
        .fetch_all(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        rows.iter().map(review_from_row).collect()
    }

    async fn erase_record(&mut self, id: RecordId) -> StoreResult<ErasedRecord> {
        let id_text = uuid_text(id.as_uuid());
        let exists: Option<String> = sqlx::query_scalar("SELECT id FROM records WHERE id = ?")
            .bind(&id_text)
            .fetch_optional(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        if exists.is_none() {
            return Err(StoreError::NotFound {
                what: "record",
                id: id.to_string(),
            });
        }
        let report: Option<String> =
            sqlx::query_scalar("SELECT reference FROM reports WHERE event_id = ? LIMIT 1")
                .bind(&id_text)
                .fetch_optional(&mut *self.transaction)
                .await
                .map_err(database_error)?;
        if let Some(reference) = report {
            return Err(StoreError::InUse {
                what: "record",
                id: id.to_string(),
                by: format!("it is the event of online report {reference}"),
            });
        }
        sqlx::query("UPDATE reports SET reporter_id = NULL WHERE reporter_id = ?")
            .bind(&id_text)
            .execute(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        sqlx::query("DELETE FROM search_keys WHERE record_id = ?")
            .bind(&id_text)
            .execute(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        let links = sqlx::query("DELETE FROM links WHERE from_id = ? OR to_id = ?")
            .bind(&id_text)
            .bind(&id_text)
            .execute(&mut *self.transaction)
            .await
            .map_err(database_error)?
            .rows_affected();
        sqlx::query("DELETE FROM records WHERE id = ?")
            .bind(&id_text)
            .execute(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        self.changed_state = true;
        Ok(ErasedRecord {
            links_removed: u32::try_from(links).unwrap_or(u32::MAX),
        })
    }

    async fn insert_disposal(&mut self, disposal: &DisposalRow) -> StoreResult<()> {
        let inserted = sqlx::query(
            "INSERT INTO record_disposals \
             (record_id, kind, classification, sensitive, retention_group, disposed_at, \
              disposed_by, reason, links_removed, audit_seq) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (record_id) DO NOTHING",
        )
        .bind(uuid_text(disposal.record_id.as_uuid()))
        .bind(disposal.kind.as_str())
        .bind(&disposal.classification)
        .bind(i64::from(disposal.sensitive))
        .bind(&disposal.retention_group)
        .bind(truncate_to_micros(disposal.disposed_at))
        .bind(&disposal.disposed_by)
        .bind(&disposal.reason)
        .bind(i64::from(disposal.links_removed))
        .bind(i64_from_u64(disposal.audit_seq, "audit sequence number")?)
        .execute(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::AlreadyExists {
                what: "disposal",
                id: disposal.record_id.to_string(),
            });
        }
        self.changed_state = true;
        Ok(())
    }

    async fn disposal(&mut self, id: RecordId) -> StoreResult<Option<DisposalRow>> {
        let row = sqlx::query(
            "SELECT record_id, kind, classification, sensitive, retention_group, disposed_at, \
             disposed_by, reason, links_removed, audit_seq \
             FROM record_disposals WHERE record_id = ?",
        )
        .bind(uuid_text(id.as_uuid()))
        .fetch_optional(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        row.as_ref().map(disposal_from_row).transpose()
    }
}

//! The audit log's index (`audit_index`, `audit_index_records`; migration 0007): written with
//! each append, read by [`bluelamp_store::AuditReader::search_audit`].

use bluelamp_audit::NewEntry;
use bluelamp_store::rows::{audit_index_rows, audit_search_bounds};
use bluelamp_store::{AuditFilter, StoreResult, StoredAuditRow};
use chrono::{DateTime, Utc};
use sqlx::postgres::Postgres;
use sqlx::{PgConnection, QueryBuilder};
use uuid::Uuid;

use crate::convert::{database_error, stored_audit_row};

/// Indexes `entries`, numbered from `first_seq`: one statement for the entries and one for
/// the records they name.
pub(crate) async fn insert(
    conn: &mut PgConnection,
    first_seq: u64,
    entries: &[NewEntry],
) -> StoreResult<()> {
    let rows = audit_index_rows(first_seq, entries)?;
    let mut seqs = Vec::with_capacity(rows.len());
    let mut ats: Vec<DateTime<Utc>> = Vec::with_capacity(rows.len());
    let mut actors = Vec::with_capacity(rows.len());
    let mut kinds = Vec::with_capacity(rows.len());
    let mut actions = Vec::with_capacity(rows.len());
    let mut purposes: Vec<Option<String>> = Vec::with_capacity(rows.len());
    let mut outcomes = Vec::with_capacity(rows.len());
    let mut record_ids: Vec<Uuid> = Vec::new();
    let mut record_seqs: Vec<i64> = Vec::new();
    for row in rows {
        for record in &row.records {
            record_ids.push(*record);
            record_seqs.push(row.seq);
        }
        seqs.push(row.seq);
        ats.push(row.at);
        actors.push(row.actor);
        kinds.push(row.kind.to_owned());
        actions.push(row.action);
        purposes.push(row.purpose);
        outcomes.push(row.outcome.to_owned());
    }
    sqlx::query(
        "INSERT INTO audit_index (seq, at, actor, kind, action, purpose, outcome) \
         SELECT * FROM UNNEST($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], \
         $5::text[], $6::text[], $7::text[])",
    )
    .bind(seqs)
    .bind(ats)
    .bind(actors)
    .bind(kinds)
    .bind(actions)
    .bind(purposes)
    .bind(outcomes)
    .execute(&mut *conn)
    .await
    .map_err(database_error)?;
    if !record_ids.is_empty() {
        sqlx::query(
            "INSERT INTO audit_index_records (record_id, seq) \
             SELECT * FROM UNNEST($1::uuid[], $2::bigint[])",
        )
        .bind(record_ids)
        .bind(record_seqs)
        .execute(&mut *conn)
        .await
        .map_err(database_error)?;
    }
    Ok(())
}

/// The stored rows of the entries the index says match, newest first.
pub(crate) async fn search(
    conn: &mut PgConnection,
    filter: &AuditFilter,
    before: Option<u64>,
    limit: u32,
) -> StoreResult<Vec<StoredAuditRow>> {
    let bounds = audit_search_bounds(filter, before, limit)?;
    let mut query = QueryBuilder::<Postgres>::new("SELECT e.seq, e.leaf, e.leaf_hash FROM ");
    // One record's entries are a walk of its primary key, newest first.
    let order = match filter.record {
        Some(record) => {
            query.push(
                "audit_index_records AS r \
                 JOIN audit_index AS i ON i.seq = r.seq \
                 JOIN audit_entries AS e ON e.seq = r.seq \
                 WHERE r.record_id = ",
            );
            query.push_bind(record);
            query.push(" AND r.seq < ");
            query.push_bind(bounds.before);
            "r.seq"
        }
        None => {
            query.push("audit_index AS i JOIN audit_entries AS e ON e.seq = i.seq WHERE i.seq < ");
            query.push_bind(bounds.before);
            "i.seq"
        }
    };
    if let Some(actor) = &filter.actor {
        query.push(" AND i.actor = ").push_bind(actor.clone());
    }
    if let Some(kind) = filter.kind {
        query.push(" AND i.kind = ").push_bind(kind.as_str());
    }
    if let Some(action) = &filter.action {
        query.push(" AND i.action = ").push_bind(action.clone());
    }
    if let Some(purpose) = bounds.purpose {
        // Under the C collation lower() folds ASCII letters only, as AuditFilter::matches does.
        query
            .push(" AND strpos(lower(i.purpose COLLATE \"C\"), ")
            .push_bind(purpose)
            .push(") > 0");
    }
    if let Some(from) = bounds.from {
        query.push(" AND i.at >= ").push_bind(from);
    }
    if let Some(to) = bounds.to {
        query.push(" AND i.at < ").push_bind(to);
    }
    query.push(" ORDER BY ").push(order).push(" DESC LIMIT ");
    query.push_bind(bounds.limit);
    let rows = query
        .build()
        .fetch_all(&mut *conn)
        .await
        .map_err(database_error)?;
    rows.iter().map(stored_audit_row).collect()
}

//! The audit log's index (`audit_index`, `audit_index_records`; migration 0007): written with
//! each append, read by [`bluelamp_store::AuditReader::search_audit`].

use bluelamp_audit::{NewEntry, format_canonical_time};
use bluelamp_store::rows::{AuditIndexRow, audit_index_rows, audit_search_bounds};
use bluelamp_store::{AuditFilter, StoreResult, StoredAuditRow};
use sqlx::sqlite::Sqlite;
use sqlx::{QueryBuilder, SqliteConnection};

use crate::convert::{database_error, stored_audit_row, uuid_text};

/// Index rows per multi-row `INSERT` (seven bind parameters each).
const ENTRIES_PER_INSERT: usize = 500;

/// Record rows per multi-row `INSERT` (two bind parameters each).
const RECORDS_PER_INSERT: usize = 2_000;

/// Indexes `entries`, numbered from `first_seq`.
pub(crate) async fn insert(
    conn: &mut SqliteConnection,
    first_seq: u64,
    entries: &[NewEntry],
) -> StoreResult<()> {
    let rows = audit_index_rows(first_seq, entries)?;
    for chunk in rows.chunks(ENTRIES_PER_INSERT) {
        let mut query = QueryBuilder::<Sqlite>::new(
            "INSERT INTO audit_index (seq, at, actor, kind, action, purpose, outcome) ",
        );
        query.push_values(chunk, |mut values, row: &AuditIndexRow| {
            values
                .push_bind(row.seq)
                .push_bind(format_canonical_time(&row.at))
                .push_bind(row.actor.clone())
                .push_bind(row.kind)
                .push_bind(row.action.clone())
                .push_bind(row.purpose.clone())
                .push_bind(row.outcome);
        });
        query
            .build()
            .execute(&mut *conn)
            .await
            .map_err(database_error)?;
    }
    let records: Vec<(String, i64)> = rows
        .iter()
        .flat_map(|row| row.records.iter().map(|id| (uuid_text(id), row.seq)))
        .collect();
    for chunk in records.chunks(RECORDS_PER_INSERT) {
        let mut query =
            QueryBuilder::<Sqlite>::new("INSERT INTO audit_index_records (record_id, seq) ");
        query.push_values(chunk, |mut values, (record_id, seq)| {
            values.push_bind(record_id.clone()).push_bind(*seq);
        });
        query
            .build()
            .execute(&mut *conn)
            .await
            .map_err(database_error)?;
    }
    Ok(())
}

/// The stored rows of the entries the index says match, newest first.
pub(crate) async fn search(
    conn: &mut SqliteConnection,
    filter: &AuditFilter,
    before: Option<u64>,
    limit: u32,
) -> StoreResult<Vec<StoredAuditRow>> {
    let bounds = audit_search_bounds(filter, before, limit)?;
    let mut query = QueryBuilder::<Sqlite>::new("SELECT e.seq, e.leaf, e.leaf_hash FROM ");
    // One record's entries are a walk of its primary key, newest first.
    let order = match filter.record {
        Some(record) => {
            query.push(
                "audit_index_records AS r \
                 JOIN audit_index AS i ON i.seq = r.seq \
                 JOIN audit_entries AS e ON e.seq = r.seq \
                 WHERE r.record_id = ",
            );
            query.push_bind(uuid_text(&record));
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
        // lower() folds ASCII letters only, as AuditFilter::matches does.
        query
            .push(" AND instr(lower(i.purpose), ")
            .push_bind(purpose)
            .push(") > 0");
    }
    if let Some(from) = bounds.from {
        query
            .push(" AND i.at >= ")
            .push_bind(format_canonical_time(&from));
    }
    if let Some(to) = bounds.to {
        query
            .push(" AND i.at < ")
            .push_bind(format_canonical_time(&to));
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

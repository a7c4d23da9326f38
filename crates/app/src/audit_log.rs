//! The audit log for those who check it: searching it (information managers, with a purpose,
//! and the search itself logged: AUD-07), proving an entry is in the log a signed checkpoint
//! commits to, and proving one size of the log extends another (for witnesses; hashes only).

use bluelamp_audit::{
    Entry, Hash, LogKind, SignedCheckpoint, consistency_proof, inclusion_proof, leaf_hash,
};
use bluelamp_domain::ids::RecordId;
use bluelamp_domain::values::Purpose;
use bluelamp_policy::{Action, Resource};
use bluelamp_store::{AuditFilter, MAX_AUDIT_SEARCH, StoreTx};
use chrono::{DateTime, Utc};

use crate::gate::{AuditFacts, abandon};
use crate::{App, AppError, Principal};

/// Most entries one [`App::search_audit`] returns (a page, or an export).
pub const MAX_AUDIT_RESULTS: u32 = 5_000;

/// Rows read per round trip when collecting leaf hashes for a proof.
const HASH_BATCH: u32 = 20_000;

/// What to look for in the audit log; every condition given must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Entries naming this record.
    pub record: Option<RecordId>,
    /// Entries by this actor, as the log writes it (e.g. `staff:0190…`, `system:cli`).
    pub actor: Option<String>,
    /// Entries by the staff account with this username (resolved to its actor).
    pub username: Option<String>,
    /// Entries of this s.62 kind.
    pub kind: Option<LogKind>,
    /// Entries of this action (e.g. `record.read`).
    pub action: Option<String>,
    /// Entries whose purpose contains this text (ignoring the case of ASCII letters).
    pub purpose: Option<String>,
    /// Entries at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Entries before this time.
    pub to: Option<DateTime<Utc>>,
}

/// One entry found, as the log stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    /// The entry, decoded from its stored leaf.
    pub entry: Entry,
    /// Its stored leaf hash (checked against the leaf).
    pub leaf_hash: Hash,
}

/// A page of [`App::search_audit`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditPage {
    /// The matching entries, newest first.
    pub entries: Vec<AuditRecord>,
    /// Pass as `before` for the next (older) page; `None` on the last page.
    pub next_before: Option<u64>,
}

/// That an entry is in the log a signed checkpoint commits to: verify it with
/// `bluelamp_audit::verify_inclusion(&leaf_hash, seq, checkpoint size, &proof, &root)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InclusionProof {
    /// The entry's position.
    pub seq: u64,
    /// Its stored leaf hash.
    pub leaf_hash: Hash,
    /// The audit path, lowest level first.
    pub proof: Vec<Hash>,
    /// The latest signed checkpoint, which the proof leads to.
    pub checkpoint: SignedCheckpoint,
}

/// That the log of size `to` extends the log of size `from`: verify it with
/// `bluelamp_audit::verify_consistency(from, to, &root_from, &root_to, &proof)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsistencyProof {
    /// The smaller size.
    pub from: u64,
    /// The larger size.
    pub to: u64,
    /// The proof's hashes.
    pub proof: Vec<Hash>,
}

impl App {
    /// Searches the audit log: entries matching `query`, newest first, older than `before`
    /// (a previous page's [`AuditPage::next_before`]), at most `limit` (1 to
    /// [`MAX_AUDIT_RESULTS`]). Authorised as `audit.read` (information managers, with a
    /// purpose); the search is itself audited, in the same transaction, as a consultation of
    /// the log with `purpose` (naming the record searched for, if any). The entries are the
    /// log's own rows, each checked against its stored hash and against `query`.
    ///
    /// # Errors
    /// [`AppError::Invalid`] on `limit` out of range or an unknown `username`;
    /// [`AppError::Forbidden`] (audited) for anyone else; [`AppError::Internal`] when a
    /// stored entry is not intact.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn search_audit(
        &self,
        who: &Principal,
        query: &AuditQuery,
        purpose: &Purpose,
        before: Option<u64>,
        limit: u32,
    ) -> Result<AuditPage, AppError> {
        let inner = &self.inner;
        if limit == 0 || limit > MAX_AUDIT_RESULTS {
            return Err(AppError::invalid(
                "limit",
                "out_of_range",
                format!("limit must be between 1 and {MAX_AUDIT_RESULTS}"),
            ));
        }
        let facts = AuditFacts {
            kind: LogKind::Consultation,
            action: Action::ReadAuditLog,
            purpose: Some(purpose.as_str()),
            records: query.record.map(|id| *id.as_uuid()).into_iter().collect(),
        };
        inner.authorise(who, &Resource::audit_log(), &facts).await?;

        let mut tx = inner.store.begin().await?;
        let filter = match filter_of(&mut tx, query).await {
            Ok(filter) => filter,
            Err(error) => return abandon(tx, error).await,
        };
        // One more than asked for says whether there is another page.
        let mut rows = match tx
            .search_audit(
                &filter,
                before,
                limit.saturating_add(1).min(MAX_AUDIT_SEARCH),
            )
            .await
        {
            Ok(rows) => rows,
            Err(error) => return abandon(tx, error.into()).await,
        };
        let page = usize::try_from(limit).unwrap_or(usize::MAX);
        let more = rows.len() > page;
        rows.truncate(page);
        let next_before = if more {
            rows.last().map(|row| row.seq)
        } else {
            None
        };
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows {
            let record = match intact(row.seq, &row.leaf, row.leaf_hash) {
                Ok(record) => record,
                Err(error) => return abandon(tx, error).await,
            };
            // The index only finds entries; the entry itself decides.
            if filter.matches(&record.entry.entry) {
                entries.push(record);
            }
        }
        inner.audit_and_commit(who, tx, &facts).await?;
        Ok(AuditPage {
            entries,
            next_before,
        })
    }

    /// One entry of the audit log, as stored. Authorised as `audit.read` (information
    /// managers, with a purpose) and audited as a consultation of the log with `purpose`.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] (audited); [`AppError::NotFound`] for a `seq` not in the log;
    /// [`AppError::Internal`] when the stored entry is not intact.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn read_audit_entry(
        &self,
        who: &Principal,
        seq: u64,
        purpose: &Purpose,
    ) -> Result<AuditRecord, AppError> {
        let inner = &self.inner;
        let facts = AuditFacts {
            kind: LogKind::Consultation,
            action: Action::ReadAuditLog,
            purpose: Some(purpose.as_str()),
            records: Vec::new(),
        };
        inner.authorise(who, &Resource::audit_log(), &facts).await?;
        let mut tx = inner.store.begin().await?;
        // The newest entry below seq + 1 is seq itself, when it is in the log.
        let rows = match tx
            .search_audit(&AuditFilter::default(), Some(seq.saturating_add(1)), 1)
            .await
        {
            Ok(rows) => rows,
            Err(error) => return abandon(tx, error.into()).await,
        };
        let Some(row) = rows.into_iter().find(|row| row.seq == seq) else {
            let missing = AppError::NotFound {
                what: "audit entry",
                id: seq.to_string(),
            };
            return abandon(tx, missing).await;
        };
        let record = match intact(row.seq, &row.leaf, row.leaf_hash) {
            Ok(record) => record,
            Err(error) => return abandon(tx, error).await,
        };
        inner.audit_and_commit(who, tx, &facts).await?;
        Ok(record)
    }

    /// The proof that entry `seq` is in the log the latest signed checkpoint commits to, or
    /// `None` when no checkpoint covers it yet. Authorised as `audit.verify` (information
    /// managers and administrators) and audited; the proof holds hashes only.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] (audited); [`AppError::NotFound`] for a `seq` beyond the log;
    /// [`AppError::Internal`] when the stored log has a gap.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn audit_inclusion_proof(
        &self,
        who: &Principal,
        seq: u64,
    ) -> Result<Option<InclusionProof>, AppError> {
        let inner = &self.inner;
        let facts = AuditFacts {
            kind: LogKind::Consultation,
            action: Action::VerifyAuditLog,
            purpose: None,
            records: Vec::new(),
        };
        inner.authorise(who, &Resource::audit_log(), &facts).await?;
        if seq >= inner.store.audit_size().await? {
            return Err(AppError::NotFound {
                what: "audit entry",
                id: seq.to_string(),
            });
        }
        let proof = match inner.store.latest_checkpoint().await? {
            Some(checkpoint) if seq < checkpoint.checkpoint.size => {
                let hashes = self.leaf_hashes(checkpoint.checkpoint.size).await?;
                let proof = inclusion_proof(&hashes, seq, checkpoint.checkpoint.size)
                    .map_err(|error| AppError::Internal(error.to_string()))?;
                let leaf_hash = usize::try_from(seq)
                    .ok()
                    .and_then(|index| hashes.get(index))
                    .copied()
                    .ok_or_else(|| AppError::Internal(format!("no leaf hash for {seq}")))?;
                Some(InclusionProof {
                    seq,
                    leaf_hash,
                    proof,
                    checkpoint,
                })
            }
            _ => None,
        };
        let tx = inner.store.begin().await?;
        inner.audit_and_commit(who, tx, &facts).await?;
        Ok(proof)
    }

    /// The proof that the log of size `to` extends the log of size `from` (RFC 6962
    /// consistency), for anyone following the signed checkpoints (a witness). It holds hashes
    /// only, so it needs no principal and is not audited.
    ///
    /// # Errors
    /// [`AppError::Invalid`] on field `from` when it is above `to`, or 0 while `to` is not;
    /// on field `to` when it is beyond the log.
    #[tracing::instrument(skip(self))]
    pub async fn audit_consistency_proof(
        &self,
        from: u64,
        to: u64,
    ) -> Result<ConsistencyProof, AppError> {
        if from > to {
            return Err(AppError::invalid(
                "from",
                "out_of_range",
                format!("from ({from}) must not be greater than to ({to})"),
            ));
        }
        if from == 0 && to > 0 {
            return Err(AppError::invalid(
                "from",
                "out_of_range",
                "from must be at least 1: nothing is proved about the empty log",
            ));
        }
        let size = self.inner.store.audit_size().await?;
        if to > size {
            return Err(AppError::invalid(
                "to",
                "out_of_range",
                format!("to ({to}) is beyond the log, which has {size} entries"),
            ));
        }
        let hashes = self.leaf_hashes(to).await?;
        let proof = consistency_proof(&hashes, from, to)
            .map_err(|error| AppError::Internal(error.to_string()))?;
        Ok(ConsistencyProof { from, to, proof })
    }

    /// The stored leaf hashes of the first `size` entries, in order; a gap is an error.
    async fn leaf_hashes(&self, size: u64) -> Result<Vec<Hash>, AppError> {
        let mut hashes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        let mut next = 0_u64;
        while next < size {
            let rows = self.inner.store.audit_rows(next, HASH_BATCH).await?;
            if rows.is_empty() {
                return Err(AppError::Internal(format!(
                    "the audit log has no entry {next}"
                )));
            }
            for row in rows {
                if next >= size {
                    break;
                }
                if row.seq != next {
                    return Err(AppError::Internal(format!(
                        "the audit log has a gap at entry {next}"
                    )));
                }
                hashes.push(row.leaf_hash);
                next = next.saturating_add(1);
            }
        }
        Ok(hashes)
    }
}

/// The store's filter for `query`: a username becomes its actor.
async fn filter_of(tx: &mut Box<dyn StoreTx>, query: &AuditQuery) -> Result<AuditFilter, AppError> {
    let given = |text: &Option<String>| {
        text.as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };
    let mut actor = given(&query.actor);
    if let Some(username) = given(&query.username) {
        let Some(staff) = tx.staff_by_username(&username).await? else {
            return Err(AppError::invalid(
                "username",
                "unknown_username",
                format!("no staff account has the username {username:?}"),
            ));
        };
        let staff_actor = format!("staff:{}", staff.id);
        if actor.as_ref().is_some_and(|actor| *actor != staff_actor) {
            // Two different actors: nothing can match both.
            actor = Some(String::new());
        } else {
            actor = Some(staff_actor);
        }
    }
    Ok(AuditFilter {
        record: query.record.map(|id| *id.as_uuid()),
        actor,
        kind: query.kind,
        action: given(&query.action),
        purpose: given(&query.purpose),
        from: query.from,
        to: query.to,
    })
}

/// Decodes a stored row, checking its leaf against its hash and its position.
fn intact(seq: u64, leaf: &[u8], stored_hash: Hash) -> Result<AuditRecord, AppError> {
    let not_intact = || AppError::Internal(format!("audit entry {seq} is not intact"));
    if leaf_hash(leaf) != stored_hash {
        return Err(not_intact());
    }
    let entry = Entry::from_leaf_bytes(leaf).map_err(|_| not_intact())?;
    if entry.seq != seq {
        return Err(not_intact());
    }
    Ok(AuditRecord {
        entry,
        leaf_hash: stored_hash,
    })
}

//! Signed checkpoints of the audit log, written periodically and at shutdown.

use std::time::Duration;

use bluelamp_audit::{Checkpoint, Frontier, SignedCheckpoint, leaf_hash};
use tokio_util::sync::CancellationToken;

use crate::{App, AppError};

/// Rows read per round trip while bringing the frontier up to date.
const CATCH_UP_BATCH: u32 = 10_000;

impl App {
    /// Signs a checkpoint over the whole log as it stands and stores it. Returns `None` when
    /// the log has not grown since the latest checkpoint.
    ///
    /// The frontier is brought up to date from the stored rows; a row whose stored hash does
    /// not match its bytes, or whose position is not the next one, stops the signer: a
    /// checkpoint must never vouch for a tampered log.
    pub async fn write_checkpoint(&self) -> Result<Option<SignedCheckpoint>, AppError> {
        let inner = &self.inner;
        let mut frontier = inner.frontier.lock().await;
        let size = inner.store.audit_size().await?;
        catch_up(&*inner.store, &mut frontier, size).await?;
        let latest = inner.store.latest_checkpoint().await?;
        if latest
            .as_ref()
            .is_some_and(|checkpoint| checkpoint.checkpoint.size >= frontier.size())
        {
            return Ok(None);
        }
        let checkpoint = Checkpoint {
            origin: inner.log_origin.clone(),
            size: frontier.size(),
            root: frontier.root(),
            time: inner.clock.now(),
        };
        let signed = inner.signer.sign(checkpoint);
        inner.store.insert_checkpoint(&signed).await?;
        tracing::info!(size = signed.checkpoint.size, "audit checkpoint signed");
        Ok(Some(signed))
    }

    /// The latest signed checkpoint, if any.
    pub async fn latest_checkpoint(&self) -> Result<Option<SignedCheckpoint>, AppError> {
        Ok(self.inner.store.latest_checkpoint().await?)
    }

    /// Writes a checkpoint every `every` until `shutdown` is cancelled, then writes a final one.
    pub fn spawn_checkpointer(
        &self,
        every: Duration,
        shutdown: CancellationToken,
    ) -> tokio::task::JoinHandle<()> {
        let app = self.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    _ = ticker.tick() => {
                        if let Err(error) = app.write_checkpoint().await {
                            tracing::error!(%error, "periodic checkpoint failed");
                        }
                    }
                }
            }
            if let Err(error) = app.write_checkpoint().await {
                tracing::error!(%error, "final checkpoint failed");
            }
        })
    }
}

/// Extends `frontier` with the stored rows from its size up to `size`.
async fn catch_up(
    store: &dyn bluelamp_store::Store,
    frontier: &mut Frontier,
    size: u64,
) -> Result<(), AppError> {
    while frontier.size() < size {
        let rows = store.audit_rows(frontier.size(), CATCH_UP_BATCH).await?;
        if rows.is_empty() {
            return Err(AppError::Internal(format!(
                "audit log reports {size} entries but has none at {}",
                frontier.size()
            )));
        }
        for row in rows {
            if row.seq != frontier.size() || leaf_hash(&row.leaf) != row.leaf_hash {
                return Err(AppError::Internal(format!(
                    "audit entry {} is not intact; refusing to sign",
                    row.seq
                )));
            }
            frontier.push(row.leaf_hash);
            if frontier.size() >= size {
                break;
            }
        }
    }
    Ok(())
}

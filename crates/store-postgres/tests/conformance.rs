//! Runs the shared storage conformance suite against PostgreSQL, one fresh database per test
//! (cloned from a migrated template on `BLUELAMP_TEST_DATABASE_URL`).

use std::sync::Arc;

use bluelamp_store::Store;
use bluelamp_store_postgres::testing::{TestDb, fresh_database};

/// A fresh database cloned from the migrated template.
async fn postgres_store() -> anyhow::Result<(Arc<dyn Store>, TestDb)> {
    let (store, guard) = fresh_database().await?;
    Ok((Arc::new(store), guard))
}

bluelamp_store::conformance_suite!(postgres_store);

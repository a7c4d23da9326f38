//! Sampling the real, anonymised data.police.uk street-level records for the demo force.

use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use chrono::NaiveDate;
use flate2::read::GzDecoder;
use rand::Rng as _;
use rand_chacha::ChaCha8Rng;

/// The environment variable naming the project's shared directory.
pub const SHARED_DIR_ENV: &str = "BLUELAMP_SHARED_DIR";

/// The folder, inside the shared directory, of the Leicestershire records.
const CRIME_FOLDER: &str = "data/crime/leicestershire";

/// One sampled street-level record.
#[derive(Clone, Debug, PartialEq)]
pub struct CrimeRow {
    /// First day of the month it was recorded in (the only time information published).
    pub month: NaiveDate,
    /// WGS84 longitude of the anonymised map point.
    pub longitude: f64,
    /// WGS84 latitude of the anonymised map point.
    pub latitude: f64,
    /// The map point's label, e.g. `On or near Lowland Avenue`.
    pub location: String,
    /// Census small-area name, e.g. `Blaby 002A`.
    pub lsoa_name: String,
    /// The police.uk category name, e.g. `Public order`.
    pub crime_type: String,
    /// The police.uk outcome name, when one was published.
    pub outcome: Option<String>,
}

/// Finds the shared directory: `$BLUELAMP_SHARED_DIR`, else `shared` beside the repository
/// (`<repo>/../shared`, seen from the working directory or from this crate's sources).
pub fn shared_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os(SHARED_DIR_ENV) {
        let dir = PathBuf::from(dir);
        if dir.join(CRIME_FOLDER).is_dir() {
            return Ok(dir);
        }
        bail!(
            "{SHARED_DIR_ENV}={} holds no {CRIME_FOLDER} folder",
            dir.display()
        );
    }
    let repo_from_sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let candidates = [
        PathBuf::from("../shared"),
        PathBuf::from("shared"),
        repo_from_sources.join("../shared"),
    ];
    candidates
        .into_iter()
        .find(|candidate| candidate.join(CRIME_FOLDER).is_dir())
        .with_context(|| {
            format!(
                "cannot find the shared data ({CRIME_FOLDER}); set {SHARED_DIR_ENV} to the \
                 project's shared directory"
            )
        })
}

/// Every `*.csv.gz` file of the Leicestershire records, in name order.
pub fn crime_files(shared: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let folder = shared.join(CRIME_FOLDER);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .with_context(|| format!("cannot read {}", folder.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.ends_with(".csv.gz"))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no .csv.gz files in {}", folder.display());
    }
    Ok(files)
}

/// Draws up to `per_month` located records from every month of `files` (reservoir sampling
/// in file order, so the same seed gives the same sample), in month order.
pub fn sample(
    files: &[PathBuf],
    per_month: usize,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<Vec<CrimeRow>> {
    let mut reservoirs: BTreeMap<NaiveDate, Reservoir> = BTreeMap::new();
    for file in files {
        let opened =
            std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(BufReader::new(GzDecoder::new(opened)));
        let columns = Columns::find(
            reader
                .headers()
                .with_context(|| format!("cannot read the header of {}", file.display()))?,
        )
        .with_context(|| format!("unexpected columns in {}", file.display()))?;
        let mut record = csv::StringRecord::new();
        while reader
            .read_record(&mut record)
            .with_context(|| format!("cannot read {}", file.display()))?
        {
            let Some(row) = columns.parse(&record) else {
                continue;
            };
            reservoirs
                .entry(row.month)
                .or_insert_with(|| Reservoir::new(per_month))
                .offer(row, rng);
        }
    }
    Ok(reservoirs
        .into_values()
        .flat_map(|reservoir| reservoir.kept)
        .collect())
}

/// A fixed-size uniform sample of a stream (Algorithm R).
struct Reservoir {
    capacity: usize,
    seen: usize,
    kept: Vec<CrimeRow>,
}

impl Reservoir {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            seen: 0,
            kept: Vec::with_capacity(capacity),
        }
    }

    fn offer(&mut self, row: CrimeRow, rng: &mut ChaCha8Rng) {
        self.seen += 1;
        if self.kept.len() < self.capacity {
            self.kept.push(row);
            return;
        }
        let slot = rng.gen_range(0..self.seen);
        if let Some(kept) = self.kept.get_mut(slot) {
            *kept = row;
        }
    }
}

/// Positions of the columns the demo reads.
struct Columns {
    month: usize,
    longitude: usize,
    latitude: usize,
    location: usize,
    lsoa_name: usize,
    crime_type: usize,
    outcome: usize,
}

impl Columns {
    fn find(header: &csv::StringRecord) -> anyhow::Result<Self> {
        let position = |name: &str| {
            header
                .iter()
                .position(|column| column == name)
                .with_context(|| format!("no column {name:?}"))
        };
        Ok(Self {
            month: position("Month")?,
            longitude: position("Longitude")?,
            latitude: position("Latitude")?,
            location: position("Location")?,
            lsoa_name: position("LSOA name")?,
            crime_type: position("Crime type")?,
            outcome: position("Last outcome category")?,
        })
    }

    /// The row as a [`CrimeRow`]; `None` for rows without a location or a readable month.
    fn parse(&self, record: &csv::StringRecord) -> Option<CrimeRow> {
        let month =
            NaiveDate::parse_from_str(&format!("{}-01", record.get(self.month)?), "%Y-%m-%d")
                .ok()?;
        let longitude: f64 = record.get(self.longitude)?.parse().ok()?;
        let latitude: f64 = record.get(self.latitude)?.parse().ok()?;
        let outcome = record
            .get(self.outcome)
            .filter(|outcome| !outcome.is_empty())
            .map(str::to_owned);
        Some(CrimeRow {
            month,
            longitude,
            latitude,
            location: record.get(self.location)?.to_owned(),
            lsoa_name: record.get(self.lsoa_name)?.to_owned(),
            crime_type: record.get(self.crime_type)?.to_owned(),
            outcome,
        })
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng as _;
    use rand_chacha::ChaCha8Rng;

    use super::{crime_files, sample, shared_dir};

    #[test]
    fn the_sample_is_fixed_by_the_seed_and_spread_over_months() {
        let files = crime_files(&shared_dir().unwrap()).unwrap();
        let first = sample(&files, 3, &mut ChaCha8Rng::seed_from_u64(7)).unwrap();
        let second = sample(&files, 3, &mut ChaCha8Rng::seed_from_u64(7)).unwrap();
        assert_eq!(first, second);
        assert_eq!(first.len(), 26 * 3);
        let months: std::collections::BTreeSet<_> = first.iter().map(|row| row.month).collect();
        assert_eq!(months.len(), 26);
        assert!(
            first
                .iter()
                .all(|row| row.location.starts_with("On or near"))
        );
    }
}

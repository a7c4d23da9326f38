//! Online reports from the public: the police side (until the staff workspace exists).

pub mod update;

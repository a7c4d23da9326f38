//! Static files of the server-rendered pages: the portal's stylesheet and script (built from
//! `web-assets/` by `scripts/build-assets` and checked in under `crates/web/assets/`) and
//! govuk-frontend's licence. They are compiled into the binary, so serving needs no Node.js
//! and no files beside the binary.

pub mod assets;

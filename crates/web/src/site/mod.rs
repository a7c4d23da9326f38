//! Server-rendered pages. For now only the landing page; the citizen portal and the staff
//! workspace come later.

pub mod landing;

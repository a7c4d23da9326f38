//! Evidence uploads: typed by content, size-limited, listed without their metadata,
//! removable, at most 20.

use crate::helpers::{Citizen, Options, PortalApp, Upload, exe, jpeg, pdf};
use crate::journeys::{answer, yesterday};

/// A citizen on the evidence step of an anti-social behaviour report.
async fn at_evidence(server: &PortalApp) -> Citizen {
    let mut citizen = server.citizen();
    let journey = "anti-social-behaviour";
    let (day, month, year) = yesterday();
    citizen.get_following("/report/anti-social-behaviour").await;
    answer(
        &mut citizen,
        journey,
        "type",
        &[("report_type", "asb-environmental")],
        "when",
    )
    .await;
    answer(
        &mut citizen,
        journey,
        "when",
        &[
            ("when-day", &day),
            ("when-month", &month),
            ("when-year", &year),
        ],
        "where",
    )
    .await;
    answer(
        &mut citizen,
        journey,
        "where",
        &[("address_postcode", "LE1 6ZG")],
        "what",
    )
    .await;
    answer(
        &mut citizen,
        journey,
        "what",
        &[("summary", "Fly-tipping in the alley.")],
        "suspect",
    )
    .await;
    let page = answer(
        &mut citizen,
        journey,
        "suspect",
        &[("suspect_known", "no")],
        "evidence",
    )
    .await;
    page.assert_shows("Do you have photos, videos or documents?");
    assert!(page.text.contains("enctype=\"multipart/form-data\""));
    citizen
}

const PATH: &str = "/report/anti-social-behaviour/evidence";

#[tokio::test]
async fn a_jpg_that_is_really_a_pdf_is_refused_on_the_page() {
    let server = PortalApp::spawn().await;
    let mut citizen = at_evidence(&server).await;
    let mut fake = pdf("holiday.jpg");
    fake.content_type = "image/jpeg";
    let page = citizen
        .post_multipart(PATH, &[("action", "continue")], vec![fake])
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.title().starts_with("Error: "));
    page.assert_shows(
        "The file ‘holiday.jpg’ is a PDF document, not the JPEG image its name says.",
    );
    assert!(page.text.contains("href=\"#file\""));
    assert_eq!(server.blob_count().await, 0);
}

#[tokio::test]
async fn a_program_is_refused() {
    let server = PortalApp::spawn().await;
    let mut citizen = at_evidence(&server).await;
    let page = citizen
        .post_multipart(PATH, &[("action", "continue")], vec![exe("setup.exe")])
        .await;
    assert_eq!(page.status, 200);
    page.assert_shows("is not a kind of file we can accept as evidence");
    // Renamed, it is refused all the same: the content decides.
    let page = citizen
        .post_multipart(PATH, &[("action", "continue")], vec![exe("photo.jpg")])
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(server.blob_count().await, 0);
}

#[tokio::test]
async fn an_oversize_file_is_refused_and_leaves_nothing() {
    let server = PortalApp::spawn_with(Options {
        max_upload_bytes: 64 * 1024,
        ..Options::default()
    })
    .await;
    let mut citizen = at_evidence(&server).await;
    let mut big = jpeg("big.jpg");
    big.bytes.extend(std::iter::repeat_n(0x42, 200 * 1024));
    let page = citizen
        .post_multipart(PATH, &[("action", "continue")], vec![big])
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    page.assert_shows("The file is too large: evidence files can be at most 64 KiB.");
    assert_eq!(server.blob_count().await, 0);
    // A file within the limit is still accepted afterwards.
    let page = citizen
        .post_multipart(PATH, &[("action", "upload")], vec![jpeg("small.jpg")])
        .await;
    assert_eq!(page.status, 303, "{}", page.text);
    assert_eq!(server.blob_count().await, 1);
}

#[tokio::test]
async fn files_are_listed_with_name_type_and_size_and_can_be_removed() {
    let server = PortalApp::spawn().await;
    let mut citizen = at_evidence(&server).await;
    // A photo with EXIF data: the GPS position must never be shown back.
    let page = citizen
        .post_multipart(
            PATH,
            &[("action", "upload")],
            vec![jpeg("one.jpg"), pdf("letter.pdf")],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.text);
    assert_eq!(page.location(), PATH);
    let listed = citizen.get(PATH).await;
    listed.assert_shows("one.jpg");
    listed.assert_shows("JPEG image, 2 KB");
    listed.assert_shows("letter.pdf");
    listed.assert_shows("PDF document");
    assert!(!listed.text.contains("sha256"));
    assert_eq!(server.blob_count().await, 2);
    let removed = citizen
        .post_multipart(PATH, &[("remove", "0")], Vec::new())
        .await;
    assert_eq!(removed.status, 303);
    let listed = citizen.get(PATH).await;
    assert!(!listed.shows("one.jpg"));
    listed.assert_shows("letter.pdf");
    assert_eq!(
        server.blob_count().await,
        1,
        "the removed file's blob is deleted"
    );
}

#[tokio::test]
async fn at_most_twenty_files() {
    let server = PortalApp::spawn().await;
    let mut citizen = at_evidence(&server).await;
    let files: Vec<Upload> = (0..20).map(|_| jpeg("photo.jpg")).collect();
    let page = citizen
        .post_multipart(PATH, &[("action", "upload")], files)
        .await;
    assert_eq!(page.status, 303, "{}", page.text);
    let page = citizen
        .post_multipart(PATH, &[("action", "upload")], vec![jpeg("extra.jpg")])
        .await;
    assert_eq!(page.status, 200);
    page.assert_shows("You can add up to 20 files to a report");
    assert_eq!(server.blob_count().await, 20);
}

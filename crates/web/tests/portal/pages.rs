//! Every page: quick exit, skip link, footer, unique titles, nothing from other sites; the
//! start and static pages; the assets.

use std::collections::HashSet;

use crate::helpers::{Page, PortalApp};
use crate::journeys::crime_to_check;

/// Checks what every page must have.
#[track_caller]
fn assert_every_page_parts(path: &str, page: &Page) {
    let text = &page.text;
    assert!(text.contains("<html lang=\"en\""), "{path}: lang");
    assert!(
        text.contains(
            "<a id=\"quick-exit\" class=\"bl-quick-exit\" href=\"https://www.bbc.co.uk/weather\""
        ),
        "{path}: quick exit"
    );
    assert!(text.contains("href=\"#main-content\""), "{path}: skip link");
    assert!(text.contains("id=\"main-content\""), "{path}: main");
    for link in ["/privacy", "/accessibility", "/cookies"] {
        assert!(
            text.contains(&format!("href=\"{link}\"")),
            "{path}: footer link {link}"
        );
    }
    assert!(
        page.title().ends_with("– Bluelamp"),
        "{path}: {}",
        page.title()
    );
    assert!(!text.contains("GDS Transport"), "{path}: no GOV.UK font");
    assert!(!text.to_lowercase().contains("crown"), "{path}: no crown");
    assert!(!text.contains("style=\""), "{path}: no inline style");
    assert!(!text.contains("<style"), "{path}: no style element");
    for script in text.split("<script").skip(1) {
        let tag = script.split('>').next().unwrap_or_default();
        assert!(
            tag.contains("src=\"/assets/"),
            "{path}: only our own script file: {tag}"
        );
    }
    // Nothing loaded from elsewhere: scripts, styles, images, fonts, frames.
    for attribute in ["src=\"", "srcset=\""] {
        for value in text.split(attribute).skip(1) {
            let url = value.split('"').next().unwrap_or_default();
            assert!(
                url.starts_with('/') && !url.starts_with("//"),
                "{path}: {attribute}{url}"
            );
        }
    }
    for link in text.split("<link").skip(1) {
        let tag = link.split('>').next().unwrap_or_default();
        let href = tag
            .split("href=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or("/");
        assert!(
            href.starts_with('/') && !href.starts_with("//"),
            "{path}: <link{tag}>"
        );
    }
}

#[tokio::test]
async fn every_page_has_quick_exit_and_loads_nothing_from_elsewhere() {
    let server = PortalApp::spawn().await;
    let mut citizen = server.citizen();
    let mut titles = HashSet::new();
    let mut pages = vec![
        "/".to_owned(),
        "/privacy".to_owned(),
        "/accessibility".to_owned(),
        "/cookies".to_owned(),
        "/track".to_owned(),
        "/no-such-page".to_owned(),
    ];
    crime_to_check(&mut citizen, "jane@example.org").await;
    for step in [
        "type",
        "when",
        "where",
        "what",
        "suspect",
        "property",
        "evidence",
        "victim",
        "witness",
        "you",
        "support",
        "contact",
        "victims-code",
        "check",
    ] {
        pages.push(format!("/report/crime/{step}"));
    }
    for path in &pages {
        let page = citizen.get(path).await;
        assert!(matches!(page.status, 200 | 404), "{path}: {}", page.status);
        assert_every_page_parts(path, &page);
        assert!(
            titles.insert(page.title()),
            "{path}: title {} is not unique",
            page.title()
        );
    }
    for journey in ["anti-social-behaviour", "road-traffic", "information"] {
        let page = citizen.get_following(&format!("/report/{journey}")).await;
        assert_every_page_parts(journey, &page);
    }
    let done = crate::journeys::submit(&mut citizen, "crime").await;
    assert_every_page_parts("done", &done);
    let forbidden = citizen.post_raw("/report/crime/type", &[], &[]).await;
    assert_every_page_parts("403", &forbidden);
}

#[tokio::test]
async fn the_start_page_warns_about_emergencies_and_lists_the_journeys() {
    let server = PortalApp::spawn().await;
    let mut citizen = server.citizen();
    let start = citizen.get("/").await;
    assert_eq!(start.status, 200);
    assert_eq!(
        start.title(),
        "Contact Leicestershire Police online – Bluelamp"
    );
    start.assert_shows("Leicestershire Police");
    start.assert_shows("call 999");
    start.assert_shows("call 101");
    start.assert_shows("18000");
    start.assert_shows("18001 101");
    for journey in [
        "crime",
        "anti-social-behaviour",
        "road-traffic",
        "information",
    ] {
        assert!(
            start.text.contains(&format!("href=\"/report/{journey}\"")),
            "{journey}"
        );
    }
    assert!(start.text.contains("href=\"/track\""));
    assert_eq!(
        start.headers.get("content-security-policy").unwrap(),
        bluelamp_web::middleware::CONTENT_SECURITY_POLICY
    );
}

#[tokio::test]
async fn the_static_pages_say_something_real() {
    let server = PortalApp::spawn().await;
    let mut citizen = server.citizen();
    let cookies = citizen.get("/cookies").await;
    cookies.assert_shows("bl_session");
    cookies.assert_shows("strictly necessary");
    let privacy = citizen.get("/privacy").await;
    privacy.assert_shows("Data Protection Act 2018");
    let accessibility = citizen.get("/accessibility").await;
    accessibility.assert_shows("WCAG");
}

#[tokio::test]
async fn the_assets_are_served_from_the_site() {
    let server = PortalApp::spawn().await;
    let mut citizen = server.citizen();
    let css = citizen.get("/assets/bluelamp.css").await;
    assert_eq!(css.status, 200);
    assert!(
        css.headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(css.text.contains(".govuk-button"));
    assert!(css.text.contains(".bl-quick-exit"));
    assert!(
        !css.text.contains("url("),
        "the stylesheet refers to no other file"
    );
    let js = citizen.get("/assets/bluelamp.js").await;
    assert_eq!(js.status, 200);
    assert!(js.text.contains("location.replace"));
    assert!(js.text.contains("/session/keep-alive"));
    let licence = citizen.get("/assets/govuk-frontend-LICENSE.txt").await;
    licence.assert_shows("The MIT License");
    assert_eq!(citizen.get("/assets/nothing.css").await.status, 404);
}

#[tokio::test]
async fn error_pages_keep_the_chrome() {
    let server = PortalApp::spawn().await;
    let mut citizen = server.citizen();
    let missing = citizen.get("/report/crime/nowhere").await;
    assert_eq!(missing.status, 404);
    missing.assert_shows("Page not found");
    assert_every_page_parts("404", &missing);
}

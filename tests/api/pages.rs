//! The staff pages (`/login`, `/cases`, `/cases/{id}`, the finance desk `/ekonomi` and
//! `/ekonomi/cases/{id}`) are served like the public ones: HTML that is never cached, under the
//! strict CSP, with no inline script or style, and every asset they name is there. (Their
//! behaviour is tested in the browser: tests/browser/tests/manager.test.mjs, finance.test.mjs.)

use crate::helpers::spawn_app;

#[actix_rt::test]
async fn the_staff_pages_are_served_under_the_strict_csp_with_their_assets() {
    let app = spawn_app().await;
    for path in [
        "/login",
        "/login?token=abc",
        "/cases",
        "/cases/019abc00-0000-7000-8000-000000000001",
        "/cases/anything-else",
        "/ekonomi",
        "/ekonomi?unit=019abc00-0000-7000-8000-000000000001&period=year",
        "/ekonomi/cases/019abc00-0000-7000-8000-000000000001",
        "/uppfoljning",
        "/uppfoljning/2026",
        "/statistik",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, 200, "{path}");
        assert!(r.content_type().starts_with("text/html"), "{path}");
        assert_eq!(r.header("cache-control"), Some("no-cache"), "{path}");
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("script-src 'self';"), "{path}: {csp}");
        assert!(csp.contains("style-src 'self';"), "{path}: {csp}");
        let html = &r.raw;
        // No inline script or style: every <script> has a src, no style attributes or blocks.
        assert!(
            !html.contains("<script>") && !html.contains("<script type=\"module\">"),
            "{path}"
        );
        assert!(
            !html.contains(" style=") && !html.contains("<style"),
            "{path}"
        );
        assert!(html.contains("<html lang=\"sv\">"), "{path}");
        // Every versioned asset the page names is served.
        for piece in html.split("\"/static/").skip(1) {
            let asset = &piece[..piece.find('"').unwrap_or(0)];
            let a = app.get(&format!("/static/{asset}")).await;
            assert_eq!(a.status, 200, "{path} names /static/{asset}");
        }
    }
}

#[actix_rt::test]
async fn the_case_page_is_one_shell_whatever_the_id() {
    // Whether a case exists, and whether the caller may see it, is the API's answer (404),
    // never the page's: the shell tells nothing.
    let app = spawn_app().await;
    let a = app.get("/cases/019abc00-0000-7000-8000-000000000001").await;
    let b = app.get("/cases/not-a-case").await;
    assert_eq!(a.raw, b.raw);
}

//! Damage costs (issue 11): who may see and enter money (one table, as for cases), the
//! cost view finance gets, entries and reversals (once, also when racing), the claim with
//! If-Match, moves, trends year over year, and `tillbud costs verify`.

// Amounts are written kronor_öre (`184_500_00` is 184 500,00 kr).
#![allow(clippy::inconsistent_digit_grouping)]

use std::process::Command;

use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_mail_app, Reply, TestApp};
use crate::smtp_server::SmtpServer;

pub const COORDINATOR: &str = "mikael.strand@example.se";
pub const FINANCE: &str = "lars.nystrom@example.se";
/// A finance user whose rights come from an admin's grant on Grundskola only.
const FINANCE_UTB: &str = "ekonom.utbildning@example.se";

/// A cost entry's body.
pub fn entry(category: &str, amount_ore: i64, basis: &str, incurred_on: &str) -> Value {
    json!({
        "category": category,
        "amount_ore": amount_ore,
        "currency": "SEK",
        "basis": basis,
        "incurred_on": incurred_on,
        "voucher_ref": "V-4711",
    })
}

pub async fn add(app: &TestApp, cookie: &str, case: &str, body: &Value) -> Reply {
    app.send_as(
        Some(cookie),
        "POST",
        &format!("/api/v1/incidents/{case}/costs"),
        Some(body),
        None,
    )
    .await
}

pub async fn costs(app: &TestApp, cookie: &str, case: &str) -> Reply {
    app.send_as(
        Some(cookie),
        "GET",
        &format!("/api/v1/incidents/{case}/costs"),
        None,
        None,
    )
    .await
}

pub async fn reverse(app: &TestApp, cookie: &str, case: &str, entry: &str) -> Reply {
    app.send_as(
        Some(cookie),
        "POST",
        &format!("/api/v1/incidents/{case}/costs/{entry}/reversal"),
        Some(&json!({ "reason": "Fel belopp på fakturan" })),
        None,
    )
    .await
}

/// A case reported at a demo unit; its id.
pub async fn case_at(app: &TestApp, unit: &str, kind: &str) -> String {
    let created = app
        .report(unit, kind, &[], Some("reporter@example.se"))
        .await;
    created["id"].as_str().expect("id").to_owned()
}

/// Logs in through a real mailed login link; the `Cookie` header value.
async fn login_by_link(app: &TestApp, smtp: &SmtpServer, email: &str) -> String {
    let asked = app
        .request(
            "POST",
            "/api/v1/auth/login-link",
            &[("content-type", "application/json")],
            json!({ "email": email }).to_string().into_bytes(),
        )
        .await;
    assert_eq!(asked.status, 202, "{}", asked.raw);
    let mut link = None;
    for _ in 0..200 {
        link = smtp
            .to(email)
            .first()
            .and_then(|m| m.link("http://tillbud.test/login?token="));
        if link.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let link = link.expect("login mail");
    let token = link.split("token=").nth(1).expect("token");
    let started = app
        .send_as(
            None,
            "POST",
            "/api/v1/auth/session",
            Some(&json!({ "token": token })),
            None,
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.raw);
    started
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("cookie")
        .to_owned()
}

const ROLES: &[(&str, Option<&str>)] = &[
    ("manager", Some("petra.lindgren@example.se")),
    ("sibling_manager", Some("fredrik.dahl@example.se")),
    ("parent_manager", Some("jonas.blom@example.se")),
    ("safety_rep", Some("skyddsombud.lyckebyskola@example.se")),
    ("coordinator", Some(COORDINATOR)),
    ("finance", Some(FINANCE)),
    ("finance_utb", Some(FINANCE_UTB)),
    ("admin", Some("admin@example.se")),
    ("employee", Some("eva.ek@example.se")),
    ("anonymous", None),
];

/// Cases: `own` in Lyckeby skola (Petra's unit), `sib` in the sibling Nättraby skola,
/// `parent` in their parent Grundskola, `mine` in Lyckeby skola reported by Eva Ek (the
/// employee) while logged in, `out` in Vämöhemmet (another administration).
const CASES: [&str; 5] = ["own", "sib", "parent", "mine", "out"];

/// Per role, the statuses of (read, enter, claim) on each of [`CASES`]: `R` 200 (or 201 for
/// entering), `F` 403, `N` 404, `A` 401. Entering covers adding and reversing an entry.
const CASE_MATRIX: &[(&str, [&str; 3])] = &[
    ("manager", ["R N N R N", "R N N R N", "F N N F N"]),
    ("sibling_manager", ["N R N N N", "N R N N N", "N F N N N"]),
    ("parent_manager", ["R R R R N", "R R R R N", "F F F F N"]),
    ("safety_rep", ["F N N F N", "F N N F N", "F N N F N"]),
    ("coordinator", ["R R R R R", "R R R R R", "R R R R R"]),
    ("finance", ["R R R R R", "R R R R R", "R R R R R"]),
    ("finance_utb", ["R R R R N", "R R R R N", "R R R R N"]),
    ("admin", ["N N N N N", "N N N N N", "N N N N N"]),
    ("employee", ["N N N F N", "N N N F N", "N N N F N"]),
    ("anonymous", ["A A A A A", "A A A A A", "A A A A A"]),
];

/// Per role: trends for Grundskola, the cases list and the claims list — the status and,
/// for the lists, which of [`CASES`] they show.
/// (role, trends status, cases status, cases listed, claims status, claims listed)
type ListRow = (
    &'static str,
    u16,
    u16,
    &'static [&'static str],
    u16,
    &'static [&'static str],
);

const LIST_MATRIX: &[ListRow] = &[
    ("manager", 403, 200, &["own", "mine"], 403, &[]),
    ("sibling_manager", 403, 200, &["sib"], 403, &[]),
    (
        "parent_manager",
        200,
        200,
        &["own", "sib", "parent", "mine"],
        403,
        &[],
    ),
    ("safety_rep", 403, 403, &[], 403, &[]),
    (
        "coordinator",
        200,
        200,
        &["own", "sib", "parent", "mine", "out"],
        200,
        &["own", "sib", "parent", "mine", "out"],
    ),
    (
        "finance",
        200,
        200,
        &["own", "sib", "parent", "mine", "out"],
        200,
        &["own", "sib", "parent", "mine", "out"],
    ),
    (
        "finance_utb",
        200,
        200,
        &["own", "sib", "parent", "mine"],
        200,
        &["own", "sib", "parent", "mine"],
    ),
    ("admin", 403, 403, &[], 403, &[]),
    ("employee", 403, 403, &[], 403, &[]),
    ("anonymous", 401, 401, &[], 401, &[]),
];

fn expected(code: &str, ok: u16) -> u16 {
    match code {
        "R" => ok,
        "F" => 403,
        "N" => 404,
        _ => 401,
    }
}

fn listed(reply: &Reply, cases: &[(&str, String)]) -> Vec<String> {
    let mut names: Vec<String> = reply.body["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| {
                    let id = i["case"]["id"].as_str()?;
                    cases
                        .iter()
                        .find(|(_, c)| c == id)
                        .map(|(n, _)| (*n).to_owned())
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[actix_rt::test]
async fn costs_access_matrix() {
    let smtp = SmtpServer::start().await;
    let app = spawn_mail_app(smtp.port, &[("TILLBUD_LOGIN_DOMAINS", "example.se")]).await;
    let grundskola = app.unit_id("Grundskola").await;
    let mut cookies: Vec<(&str, Option<String>)> = Vec::new();
    for (role, email) in ROLES {
        let cookie = match *email {
            Some(FINANCE_UTB) => Some(login_by_link(&app, &smtp, FINANCE_UTB).await),
            Some(e) => Some(app.login_as(e).await),
            None => None,
        };
        cookies.push((role, cookie));
    }
    let cookie_of = |role: &str| {
        cookies
            .iter()
            .find(|(r, _)| *r == role)
            .and_then(|(_, c)| c.clone())
    };
    // The grant: finance rights over Grundskola's subtree, given by an admin.
    let utb = cookie_of("finance_utb").expect("cookie");
    let me = app
        .send_as(Some(&utb), "GET", "/api/v1/me", None, None)
        .await;
    let grant = app
        .admin_send(
            "POST",
            &format!(
                "/api/v1/admin/users/{}/grants",
                me.body["id"].as_str().unwrap()
            ),
            Some(&json!({ "org_unit_id": grundskola, "role": "finance" })),
        )
        .await;
    assert_eq!(grant.status, 204, "{}", grant.raw);
    let me = app
        .send_as(Some(&utb), "GET", "/api/v1/me", None, None)
        .await;
    assert!(
        me.body["roles"]
            .as_array()
            .unwrap()
            .contains(&json!("finance")),
        "{}",
        me.raw
    );
    assert_eq!(me.body["finance_units"][0]["name"], "Grundskola");
    assert_eq!(
        (
            me.body["can"]["read_costs"].as_bool(),
            me.body["can"]["handle_claims"].as_bool()
        ),
        (Some(true), Some(true))
    );
    // What the pages offer each role: the finance desk for those who see costs, claims for some.
    for (role, costs, claims) in [
        ("manager", true, false),
        ("safety_rep", false, false),
        ("finance", true, true),
        ("employee", false, false),
    ] {
        let cookie = cookie_of(role).expect("cookie");
        let me = app
            .send_as(Some(&cookie), "GET", "/api/v1/me", None, None)
            .await;
        let can = &me.body["can"];
        assert_eq!(
            (can["read_costs"].as_bool(), can["handle_claims"].as_bool()),
            (Some(costs), Some(claims)),
            "{role}"
        );
    }

    let coordinator = cookie_of("coordinator").expect("cookie");
    let eva = cookie_of("employee").expect("cookie");
    let report = app.valid_report().await;
    let mine = app
        .send_as(Some(&eva), "POST", "/api/v1/incidents", Some(&report), None)
        .await;
    assert_eq!(mine.status, 201, "{}", mine.raw);
    let cases = vec![
        (
            "own",
            case_at(&app, "Lyckeby skola", "property_damage").await,
        ),
        (
            "sib",
            case_at(&app, "Nättraby skola", "property_damage").await,
        ),
        (
            "parent",
            case_at(&app, "Grundskola", "property_damage").await,
        ),
        ("mine", mine.body["id"].as_str().unwrap().to_owned()),
        ("out", case_at(&app, "Vämöhemmet", "accident").await),
    ];
    // Every case has a 2019 cost (years before the demo's) and a filed claim.
    for (_, id) in &cases {
        let r = add(
            &app,
            &coordinator,
            id,
            &entry("egendom", 1_000_00, "actual", "2019-05-10"),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.raw);
        let claim =
            json!({"state": "filed", "insurer": "Kommunassurans Syd", "claim_number": "K-1"});
        let r = app
            .send_as(
                Some(&coordinator),
                "PUT",
                &format!("/api/v1/incidents/{id}/insurance-claim"),
                Some(&claim),
                Some("\"0\""),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.raw);
    }

    assert_eq!(cases.iter().map(|(n, _)| *n).collect::<Vec<_>>(), CASES);
    let mut failures = Vec::new();
    for (role, codes) in CASE_MATRIX {
        let cookie = cookie_of(role);
        let cookie = cookie.as_deref();
        for (i, (name, id)) in cases.iter().enumerate() {
            let code = |which: usize| codes[which].split(' ').nth(i).unwrap_or("?");
            let path = format!("/api/v1/incidents/{id}");
            let read = app
                .send_as(cookie, "GET", &format!("{path}/costs"), None, None)
                .await;
            let added = app
                .send_as(
                    cookie,
                    "POST",
                    &format!("{path}/costs"),
                    Some(&entry("sjuklon", 250_00, "estimate", "2019-06-01")),
                    None,
                )
                .await;
            let target = add(
                &app,
                &coordinator,
                id,
                &entry("vard", 99_00, "actual", "2019-06-02"),
            )
            .await;
            let target = target.body["id"].as_str().unwrap_or_default().to_owned();
            let reversed = app
                .send_as(
                    cookie,
                    "POST",
                    &format!("{path}/costs/{target}/reversal"),
                    Some(&json!({"reason": "Fel ärende"})),
                    None,
                )
                .await;
            let tag = costs(&app, &coordinator, id)
                .await
                .header("etag")
                .unwrap_or_default()
                .to_owned();
            let claim = json!({"state": "approved", "insurer": "Kommunassurans Syd", "expected_recovery_ore": 500_00});
            let claimed = app
                .send_as(
                    cookie,
                    "PUT",
                    &format!("{path}/insurance-claim"),
                    Some(&claim),
                    Some(&tag),
                )
                .await;
            for (what, reply, want) in [
                ("read", &read, expected(code(0), 200)),
                ("add", &added, expected(code(1), 201)),
                ("reverse", &reversed, expected(code(1), 201)),
                ("claim", &claimed, expected(code(2), 200)),
            ] {
                if reply.status != want {
                    failures.push(format!(
                        "{what} as {role} on {name}: expected {want}, got {} ({})",
                        reply.status, reply.raw
                    ));
                } else if want >= 400 {
                    reply.assert_problem(want);
                }
            }
        }
    }
    for (role, trends, cases_status, cases_listed, claims_status, claims_listed) in LIST_MATRIX {
        let cookie = cookie_of(role);
        let cookie = cookie.as_deref();
        let t = app
            .send_as(
                cookie,
                "GET",
                &format!(
                    "/api/v1/costs/trends?unit={grundskola}&period=year&from=2019-01&to=2019-12"
                ),
                None,
                None,
            )
            .await;
        let c = app
            .send_as(
                cookie,
                "GET",
                "/api/v1/costs/cases?from=2019-01&to=2019-12&limit=100",
                None,
                None,
            )
            .await;
        let k = app
            .send_as(
                cookie,
                "GET",
                "/api/v1/costs/claims?state=pending&limit=100",
                None,
                None,
            )
            .await;
        for (what, reply, want, shown) in [
            ("trends", &t, *trends, None),
            ("cases", &c, *cases_status, Some(*cases_listed)),
            ("claims", &k, *claims_status, Some(*claims_listed)),
        ] {
            if reply.status != want {
                failures.push(format!(
                    "{what} as {role}: expected {want}, got {} ({})",
                    reply.status, reply.raw
                ));
                continue;
            }
            if let (200, Some(shown)) = (want, shown) {
                let got = listed(reply, &cases);
                let mut shown: Vec<String> = shown.iter().map(|s| (*s).to_owned()).collect();
                shown.sort();
                if got != shown {
                    failures.push(format!("{what} as {role}: expected {shown:?}, got {got:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Whatever was refused wrote nothing: the rollups still agree with the entries.
    let differences = app
        .db
        .read(tillbud::db::costs::rollup::verify)
        .await
        .expect("verify");
    assert!(differences.is_empty(), "{differences:?}");
}

#[actix_rt::test]
async fn finance_sees_the_cost_view_only() {
    let app = spawn_app().await;
    let finance = app.login_as(FINANCE).await;
    let id = case_at(&app, "Lyckeby skola", "accident").await;
    let r = add(
        &app,
        &finance,
        &id,
        &entry("sjuklon", 12_345_67, "actual", "2019-03-01"),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.raw);
    let view = costs(&app, &finance, &id).await;
    assert_eq!(view.status, 200, "{}", view.raw);
    let mut keys: Vec<&str> = view.body["case"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "id",
            "kind",
            "kind_label",
            "occurred_on",
            "status",
            "status_label",
            "title",
            "unit"
        ]
    );
    let list = app
        .send_as(
            Some(&finance),
            "GET",
            "/api/v1/costs/cases?from=2019-01&to=2019-12",
            None,
            None,
        )
        .await;
    for reply in [&view, &list] {
        for secret in [
            "Isfläcken",
            "reporter@example.se",
            "Eva Ek",
            "Huvudentrén",
            "Sandade",
            "tracking",
        ] {
            assert!(!reply.raw.contains(secret), "{secret} in {}", reply.raw);
        }
    }
    // And the case itself stays closed to finance.
    let case = app
        .send_as(
            Some(&finance),
            "GET",
            &format!("/api/v1/incidents/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(case.status, 404);
}

#[actix_rt::test]
async fn entries_add_up_and_a_reversal_cancels_one_entry_once() {
    let app = spawn_app().await;
    let finance = app.login_as(FINANCE).await;
    let id = case_at(&app, "Lyckeby skola", "property_damage").await;
    let cost = add(
        &app,
        &finance,
        &id,
        &entry("egendom", 184_500_00, "actual", "2019-02-10"),
    )
    .await;
    assert_eq!(cost.status, 201, "{}", cost.raw);
    assert_eq!(cost.body["amount_ore"], 184_500_00);
    assert_eq!(cost.body["direction"], "cost");
    assert_eq!(
        cost.body["category_label"],
        "Reparation och ersättning av egendom"
    );
    let recovery = add(
        &app,
        &finance,
        &id,
        &entry("forsakring", 159_500_00, "actual", "2019-04-01"),
    )
    .await;
    assert_eq!(recovery.body["direction"], "recovery", "{}", recovery.raw);
    let estimate = add(
        &app,
        &finance,
        &id,
        &entry("vikarie", 3_000_50, "estimate", "2019-02-11"),
    )
    .await;
    assert_eq!(estimate.status, 201);
    let wrong = add(
        &app,
        &finance,
        &id,
        &entry("sjalvrisk", 250_000_00, "actual", "2019-02-12"),
    )
    .await;
    let wrong_id = wrong.body["id"].as_str().unwrap().to_owned();

    let reversal = reverse(&app, &finance, &id, &wrong_id).await;
    assert_eq!(reversal.status, 201, "{}", reversal.raw);
    assert_eq!(reversal.body["origin"], "reversal");
    assert_eq!(reversal.body["reverses"], wrong_id.as_str());
    assert_eq!(reversal.body["signed_ore"], -250_000_00);
    assert_eq!(reversal.body["incurred_on"], "2019-02-12");
    // Once; and a reversal is not reversed.
    let again = reverse(&app, &finance, &id, &wrong_id).await;
    again.assert_problem(409);
    let of_reversal = reverse(&app, &finance, &id, reversal.body["id"].as_str().unwrap()).await;
    of_reversal.assert_problem(409);
    // An entry of another case is not this case's.
    let other = case_at(&app, "Lyckeby skola", "near_miss").await;
    reverse(&app, &finance, &other, cost.body["id"].as_str().unwrap())
        .await
        .assert_problem(404);

    let view = costs(&app, &finance, &id).await;
    let totals = &view.body["totals"];
    assert_eq!(
        totals["actual"],
        json!({"cost_ore": 184_500_00, "recovery_ore": 159_500_00, "net_ore": 25_000_00})
    );
    assert_eq!(
        totals["estimate"],
        json!({"cost_ore": 3_000_50, "recovery_ore": 0, "net_ore": 3_000_50})
    );
    assert_eq!(totals["all"]["net_ore"], 28_000_50);
    let entries = view.body["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 5, "every entry stays, the reversal too");
    let wrong_now = entries
        .iter()
        .find(|e| e["id"] == wrong_id.as_str())
        .unwrap();
    assert_eq!(wrong_now["reversed_by"], reversal.body["id"]);
    assert_eq!(
        wrong_now["amount_ore"], 250_000_00,
        "the reversed entry is unchanged"
    );
}

#[actix_rt::test]
async fn racing_reversals_reverse_an_entry_once() {
    let app = spawn_app().await;
    let finance = app.login_as(FINANCE).await;
    let coordinator = app.login_as(COORDINATOR).await;
    let id = case_at(&app, "Lyckeby skola", "property_damage").await;
    let e = add(
        &app,
        &finance,
        &id,
        &entry("egendom", 10_000_00, "actual", "2019-02-10"),
    )
    .await;
    let e = e.body["id"].as_str().unwrap().to_owned();
    let tries = (0..8).map(|i| {
        let cookie = if i % 2 == 0 { &finance } else { &coordinator };
        reverse(&app, cookie, &id, &e)
    });
    let replies = futures_util::future::join_all(tries).await;
    let mut statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [201, 409, 409, 409, 409, 409, 409, 409],
        "{:?}",
        replies.iter().map(|r| &r.raw).collect::<Vec<_>>()
    );
    let view = costs(&app, &finance, &id).await;
    assert_eq!(view.body["entries"].as_array().unwrap().len(), 2);
    assert_eq!(view.body["totals"]["actual"]["net_ore"], 0);
    // The database holds the rule too: a second row reversing the entry is refused.
    let (case, entry_id) = (id.clone(), e.clone());
    let second = app
        .db
        .write(move |c| {
            use diesel::prelude::*;
            use tillbud::db::schema::cost_entries as ce;
            let unit: String = ce::table.find(&entry_id).select(ce::org_unit_id).first(c)?;
            diesel::insert_into(ce::table)
                .values((
                    ce::id.eq(uuid::Uuid::now_v7().to_string()),
                    ce::incident_id.eq(&case),
                    ce::org_unit_id.eq(unit),
                    ce::category.eq("egendom"),
                    ce::direction.eq("cost"),
                    ce::basis.eq("actual"),
                    ce::amount_ore.eq(10_000_00i64),
                    ce::sign.eq(-1),
                    ce::incurred_on.eq("2019-02-10"),
                    ce::month.eq(201902),
                    ce::origin.eq("reversal"),
                    ce::reverses_id.eq(Some(&entry_id)),
                    ce::entered_by.eq("test"),
                    ce::entered_at.eq(chrono::Utc::now().naive_utc()),
                ))
                .execute(c)?;
            Ok(())
        })
        .await;
    assert!(
        second.as_ref().is_err_and(|e| e.is_unique_violation()),
        "{second:?}"
    );
}

#[actix_rt::test]
async fn entries_are_never_updated_or_deleted() {
    let app = spawn_app().await;
    let finance = app.login_as(FINANCE).await;
    let id = case_at(&app, "Lyckeby skola", "property_damage").await;
    let e = add(
        &app,
        &finance,
        &id,
        &entry("egendom", 500_00, "actual", "2019-02-10"),
    )
    .await;
    let e = e.body["id"].as_str().unwrap().to_owned();
    for change in ["update", "delete"] {
        let (e, which) = (e.clone(), change.to_owned());
        let result = app
            .db
            .write(move |c| {
                use diesel::prelude::*;
                use tillbud::db::schema::cost_entries as ce;
                if which == "update" {
                    diesel::update(ce::table.find(&e))
                        .set(ce::amount_ore.eq(1i64))
                        .execute(c)?;
                } else {
                    diesel::delete(ce::table.find(&e)).execute(c)?;
                }
                Ok(())
            })
            .await;
        let message = format!("{result:?}");
        assert!(message.contains("append-only"), "{change}: {message}");
    }
    let view = costs(&app, &finance, &id).await;
    assert_eq!(view.body["entries"][0]["amount_ore"], 500_00);
}

#[actix_rt::test]
async fn bad_entries_name_every_field_and_write_nothing() {
    let app = spawn_app().await;
    let finance = app.login_as(FINANCE).await;
    let id = case_at(&app, "Lyckeby skola", "property_damage").await;
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    let r = add(
        &app,
        &finance,
        &id,
        &json!({"category": "okänd", "amount_ore": 12.5, "currency": "EUR", "incurred_on": tomorrow, "note": "x\u{0007}"}),
    )
    .await;
    r.assert_problem(422);
    let mut fields = r.field_errors();
    fields.sort();
    assert_eq!(
        fields,
        [
            ("amount_ore".into(), "type".into()),
            ("basis".into(), "required".into()),
            ("category".into(), "unknown_value".into()),
            ("currency".into(), "unknown_value".into()),
            ("incurred_on".into(), "in_future".into()),
            ("note".into(), "control_character".into()),
        ]
    );
    for (amount, code) in [
        (json!(0), "range"),
        (json!(-5), "range"),
        (json!("100"), "type"),
        (json!(100.0), "type"),
    ] {
        let mut body = entry("egendom", 1, "actual", "2019-01-01");
        body["amount_ore"] = amount.clone();
        let r = add(&app, &finance, &id, &body).await;
        assert_eq!(
            r.field_errors(),
            [("amount_ore".into(), code.into())],
            "{amount}: {}",
            r.raw
        );
    }
    let r = add(
        &app,
        &finance,
        &id,
        &entry("egendom", 1, "actual", "1999-12-31"),
    )
    .await;
    assert_eq!(
        r.field_errors(),
        [("incurred_on".into(), "too_early".into())]
    );
    let r = add(
        &app,
        &finance,
        &id,
        &entry("egendom", 1, "utfall", "2019-01-01"),
    )
    .await;
    assert_eq!(r.field_errors(), [("basis".into(), "unknown_value".into())]);
    let view = costs(&app, &finance, &id).await;
    assert_eq!(view.body["entries"], json!([]));
}

#[actix_rt::test]
async fn a_retried_entry_is_stored_once() {
    let app = spawn_app().await;
    let finance = app.login_as(FINANCE).await;
    let id = case_at(&app, "Lyckeby skola", "property_damage").await;
    let key = uuid::Uuid::new_v4().to_string();
    let body = entry("egendom", 7_000_00, "actual", "2019-02-10");
    let send = |body: Value| {
        let (key, finance, id) = (key.clone(), finance.clone(), id.clone());
        let app = &app;
        async move {
            let headers = [
                ("Sec-Fetch-Site", "same-origin"),
                ("Cookie", finance.as_str()),
                ("content-type", "application/json"),
                ("Idempotency-Key", key.as_str()),
            ];
            app.request(
                "POST",
                &format!("/api/v1/incidents/{id}/costs"),
                &headers,
                body.to_string().into_bytes(),
            )
            .await
        }
    };
    let replies = futures_util::future::join_all((0..4).map(|_| send(body.clone()))).await;
    for r in &replies {
        assert_eq!(r.status, 201, "{}", r.raw);
        assert_eq!(r.body["id"], replies[0].body["id"]);
    }
    let again = send(body.clone()).await;
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.raw, replies[0].raw);
    let mut other = body.clone();
    other["amount_ore"] = json!(8_000_00);
    let reused = send(other).await;
    assert_eq!(
        reused.field_errors(),
        [("Idempotency-Key".into(), "key_reused".into())]
    );
    let view = costs(&app, &finance, &id).await;
    assert_eq!(view.body["entries"].as_array().unwrap().len(), 1);
}

#[actix_rt::test]
async fn the_claim_takes_if_match_and_a_stale_one_writes_nothing() {
    let app = spawn_app().await;
    let finance = app.login_as(FINANCE).await;
    let id = case_at(&app, "Lyckeby skola", "property_damage").await;
    let path = format!("/api/v1/incidents/{id}/insurance-claim");
    let first = costs(&app, &finance, &id).await;
    assert_eq!(first.header("etag"), Some("\"0\""));
    assert_eq!(first.body["claim"]["state"], "none");
    let claim = json!({"state": "filed", "insurer": "Kommunassurans Syd", "claim_number": "SK-1", "deductible_ore": 25_000_00, "expected_recovery_ore": 159_500_00});
    app.send_as(Some(&finance), "PUT", &path, Some(&claim), None)
        .await
        .assert_problem(428);
    let put = app
        .send_as(Some(&finance), "PUT", &path, Some(&claim), Some("\"0\""))
        .await;
    assert_eq!(put.status, 200, "{}", put.raw);
    assert_eq!(put.header("etag"), Some("\"1\""));
    assert_eq!(put.body["state_label"], "Anmäld");
    let stale = app
        .send_as(
            Some(&finance),
            "PUT",
            &path,
            Some(&json!({"state": "denied", "insurer": "X"})),
            Some("\"0\""),
        )
        .await;
    stale.assert_problem(412);
    let now = costs(&app, &finance, &id).await;
    assert_eq!(now.body["claim"]["state"], "filed");
    assert_eq!(now.body["claim"]["deductible_ore"], 25_000_00);
    let bad = app
        .send_as(
            Some(&finance),
            "PUT",
            &path,
            Some(&json!({"state": "paid", "deductible_ore": -1})),
            Some("\"1\""),
        )
        .await;
    let mut fields = bad.field_errors();
    fields.sort();
    assert_eq!(
        fields,
        [
            ("deductible_ore".into(), "range".into()),
            ("insurer".into(), "required".into())
        ],
        "{}",
        bad.raw
    );
    let bad = app
        .send_as(
            Some(&finance),
            "PUT",
            &path,
            Some(&json!({"state": "paid"})),
            Some("\"1\""),
        )
        .await;
    assert_eq!(bad.field_errors(), [("insurer".into(), "required".into())]);
    let pending = app
        .send_as(Some(&finance), "GET", "/api/v1/costs/claims", None, None)
        .await;
    let item = pending.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["case"]["id"] == id.as_str())
        .cloned();
    let item = item.expect("listed as pending");
    assert_eq!(item["outstanding_ore"], 159_500_00);
}

/// (cost, recovery, net, cases) of a trend point.
fn figures(point: &Value) -> (i64, i64, i64, i64) {
    (
        point["cost_ore"].as_i64().unwrap(),
        point["recovery_ore"].as_i64().unwrap(),
        point["net_ore"].as_i64().unwrap(),
        point["cases"].as_i64().unwrap(),
    )
}

pub async fn trend(app: &TestApp, cookie: &str, query: &str) -> Reply {
    let r = app
        .send_as(
            Some(cookie),
            "GET",
            &format!("/api/v1/costs/trends?{query}"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{query}: {}", r.raw);
    r
}

#[actix_rt::test]
async fn costs_follow_a_moved_case() {
    let app = spawn_app().await;
    let coordinator = app.login_as(COORDINATOR).await;
    let petra = app.login_as("petra.lindgren@example.se").await;
    let fredrik = app.login_as("fredrik.dahl@example.se").await;
    let (lyckeby, nattraby) = (
        app.unit_id("Lyckeby skola").await,
        app.unit_id("Nättraby skola").await,
    );
    let id = case_at(&app, "Lyckeby skola", "property_damage").await;
    let kept = add(
        &app,
        &petra,
        &id,
        &entry("egendom", 40_000_00, "actual", "2018-03-05"),
    )
    .await;
    let wrong = add(
        &app,
        &petra,
        &id,
        &entry("vikarie", 1_000_00, "actual", "2018-03-06"),
    )
    .await;
    assert_eq!(
        reverse(&app, &petra, &id, wrong.body["id"].as_str().unwrap())
            .await
            .status,
        201
    );
    add(
        &app,
        &petra,
        &id,
        &entry("sjuklon", 2_000_00, "estimate", "2018-04-01"),
    )
    .await;
    let before = trend(
        &app,
        &coordinator,
        &format!("unit={lyckeby}&period=year&from=2018-01&to=2018-12&basis=both"),
    )
    .await;
    assert_eq!(
        figures(&before.body["points"][0]),
        (42_000_00, 0, 42_000_00, 1)
    );

    let case = app
        .send_as(
            Some(&coordinator),
            "GET",
            &format!("/api/v1/incidents/{id}"),
            None,
            None,
        )
        .await;
    let tag = format!("\"{}\"", case.body["version"]);
    let moved = app
        .send_as(
            Some(&coordinator),
            "PATCH",
            &format!("/api/v1/incidents/{id}"),
            Some(&json!({"org_unit_id": nattraby})),
            Some(&tag),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.raw);

    let query = |unit: &str| format!("unit={unit}&period=year&from=2018-01&to=2018-12&basis=both");
    let old = trend(&app, &coordinator, &query(&lyckeby)).await;
    assert_eq!(figures(&old.body["points"][0]), (0, 0, 0, 0), "{}", old.raw);
    let new = trend(&app, &coordinator, &query(&nattraby)).await;
    assert_eq!(
        figures(&new.body["points"][0]),
        (42_000_00, 0, 42_000_00, 1)
    );
    // The history shows the move: the standing entries reversed on Lyckeby skola and booked
    // again on Nättraby skola; the reversed one is not moved.
    let view = costs(&app, &fredrik, &id).await;
    assert_eq!(
        view.status, 200,
        "the new unit's manager sees the money: {}",
        view.raw
    );
    let entries = view.body["entries"].as_array().unwrap();
    let origins: Vec<&str> = entries
        .iter()
        .map(|e| e["origin"].as_str().unwrap())
        .collect();
    assert_eq!(
        origins.iter().filter(|o| **o == "move_out").count(),
        2,
        "{origins:?}"
    );
    assert_eq!(
        origins.iter().filter(|o| **o == "move_in").count(),
        2,
        "{origins:?}"
    );
    let out = entries
        .iter()
        .find(|e| e["reverses"] == kept.body["id"])
        .unwrap();
    assert_eq!(
        (out["origin"].as_str(), out["org_unit_id"].as_str()),
        (Some("move_out"), Some(lyckeby.as_str()))
    );
    assert!(entries.iter().any(|e| e["origin"] == "move_in"
        && e["org_unit_id"] == nattraby.as_str()
        && e["amount_ore"] == 40_000_00));
    assert_eq!(view.body["totals"]["all"]["net_ore"], 42_000_00);
    assert_eq!(view.body["case"]["unit"]["name"], "Nättraby skola");
    // Petra no longer manages the case, so she no longer sees its money.
    assert_eq!(costs(&app, &petra, &id).await.status, 404);
    // The moved entry can be reversed on its new unit.
    let moved_in = entries
        .iter()
        .find(|e| e["origin"] == "move_in" && e["category"] == "egendom")
        .unwrap();
    assert_eq!(
        reverse(&app, &fredrik, &id, moved_in["id"].as_str().unwrap())
            .await
            .status,
        201
    );
    let after = trend(&app, &coordinator, &query(&nattraby)).await;
    assert_eq!(
        figures(&after.body["points"][0]),
        (2_000_00, 0, 2_000_00, 1)
    );
    let differences = app
        .db
        .read(tillbud::db::costs::rollup::verify)
        .await
        .expect("verify");
    assert!(differences.is_empty(), "{differences:?}");
}

#[actix_rt::test]
async fn trends_compare_with_a_year_earlier_and_drill_down() {
    let app = spawn_app().await;
    let finance = app.login_as(FINANCE).await;
    let grundskola = app.unit_id("Grundskola").await;
    let (lyckeby, nattraby) = (
        app.unit_id("Lyckeby skola").await,
        app.unit_id("Nättraby skola").await,
    );
    let a = case_at(&app, "Lyckeby skola", "property_damage").await;
    let b = case_at(&app, "Nättraby skola", "accident").await;
    let c = case_at(&app, "Grundskola", "property_damage").await;
    for (case, body) in [
        (&a, entry("egendom", 10_000_00, "actual", "2017-02-01")),
        (&a, entry("egendom", 30_000_00, "actual", "2018-03-15")),
        (&a, entry("forsakring", 5_000_00, "actual", "2018-05-20")),
        (&a, entry("egendom", 99_000_00, "actual", "2018-09-01")),
        (&b, entry("sjuklon", 4_000_00, "actual", "2017-06-30")),
        (&b, entry("sjuklon", 6_000_00, "actual", "2018-06-01")),
        (&b, entry("vard", 1_000_00, "estimate", "2018-06-02")),
        (&c, entry("egendom", 500_00, "actual", "2018-01-31")),
    ] {
        assert_eq!(add(&app, &finance, case, &body).await.status, 201);
    }
    // Year to date (January–June 2018) against January–June 2017.
    let ytd = trend(
        &app,
        &finance,
        &format!("unit={grundskola}&period=year&from=2018-01&to=2018-06"),
    )
    .await;
    let p = &ytd.body["points"][0];
    assert_eq!(p["period"], "2018");
    assert_eq!(p["year_to_date"], true);
    assert_eq!(p["label"], "2018 (jan–jun)");
    assert_eq!(figures(p), (36_500_00, 5_000_00, 31_500_00, 3));
    let prev = &p["previous_year"];
    assert_eq!(
        (
            prev["period"].as_str(),
            prev["net_ore"].as_i64(),
            prev["cases"].as_i64()
        ),
        (Some("2017"), Some(14_000_00), Some(2))
    );
    assert_eq!(prev["change_ore"], 17_500_00);
    assert_eq!(prev["change_basis_points"], 12_500, "+125 %");
    // By month, by category: the breakdown sums to the period's total.
    let by_cat = trend(
        &app,
        &finance,
        &format!("unit={grundskola}&period=month&from=2018-03&to=2018-06&group_by=category"),
    )
    .await;
    let march = &by_cat.body["points"][0];
    assert_eq!(march["period"], "2018-03");
    assert_eq!(march["groups"][0]["key"], "egendom");
    assert_eq!(march["groups"][0]["net_ore"], 30_000_00);
    let june = &by_cat.body["points"][3];
    assert_eq!(june["groups"].as_array().unwrap().len(), 1, "{june}");
    assert_eq!(june["previous_year"]["net_ore"], 4_000_00);
    // Drill down: Grundskola's children, and its own cases.
    let by_unit = trend(
        &app,
        &finance,
        &format!("unit={grundskola}&period=year&from=2018-01&to=2018-12&group_by=unit"),
    )
    .await;
    assert_eq!(by_unit.body["unit"]["name"], "Grundskola");
    assert_eq!(by_unit.body["parent"]["name"], "Utbildningsförvaltningen");
    let groups = by_unit.body["points"][0]["groups"].as_array().unwrap();
    let net_of = |key: &str| {
        groups
            .iter()
            .find(|g| g["key"] == key)
            .map(|g| g["net_ore"].as_i64().unwrap())
    };
    assert_eq!(net_of(&lyckeby), Some(124_000_00));
    assert_eq!(net_of(&nattraby), Some(6_000_00));
    assert_eq!(net_of(&grundskola), Some(500_00));
    let own = by_unit.body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == grundskola.as_str())
        .cloned()
        .unwrap();
    assert_eq!(
        (own["own"].as_bool(), own["label"].as_str()),
        (Some(true), Some("Grundskola (egna ärenden)"))
    );
    // By kind, with both bases.
    let by_kind = trend(
        &app,
        &finance,
        &format!("unit={grundskola}&period=year&from=2018-01&to=2018-12&group_by=kind&basis=both"),
    )
    .await;
    let kinds = by_kind.body["points"][0]["groups"].as_array().unwrap();
    let accident = kinds.iter().find(|g| g["key"] == "accident").unwrap();
    assert_eq!(
        (accident["net_ore"].as_i64(), accident["cases"].as_i64()),
        (Some(7_000_00), Some(1))
    );
    assert_eq!(by_kind.body["groups"][0]["label"], "olycka");
    // Quarters must be whole.
    let bad = app
        .send_as(
            Some(&finance),
            "GET",
            "/api/v1/costs/trends?period=quarter&from=2018-02&to=2018-12",
            None,
            None,
        )
        .await;
    assert_eq!(bad.field_errors(), [("from".into(), "period_start".into())]);
    let bad = app
        .send_as(
            Some(&finance),
            "GET",
            "/api/v1/costs/trends?group_by=colour&from=2018-13",
            None,
            None,
        )
        .await;
    let mut fields = bad.field_errors();
    fields.sort();
    assert_eq!(
        fields,
        [
            ("from".into(), "format".into()),
            ("group_by".into(), "unknown_value".into())
        ]
    );
}

/// A parameter that is present but blank is a mistake the client should hear about, not a
/// silent default: `?unit=` would otherwise widen the answer to everything the caller sees.
#[actix_rt::test]
async fn blank_cost_parameters_are_refused_by_name() {
    let app = spawn_app().await;
    let finance = app.login_as(FINANCE).await;
    let cases: &[(&str, &[&str])] = &[
        (
            "/api/v1/costs/trends?period=&from=&to=&unit=&group_by=&basis=&format=",
            &[
                "basis", "format", "from", "group_by", "period", "to", "unit",
            ],
        ),
        (
            "/api/v1/costs/cases?from=2016-01&unit=%20&basis=&limit=&cursor=&format=",
            &["basis", "cursor", "format", "limit", "unit"],
        ),
        (
            "/api/v1/costs/claims?state=&unit=&limit=&cursor=",
            &["cursor", "limit", "state", "unit"],
        ),
    ];
    for (path, names) in cases {
        let r = app.send_as(Some(&finance), "GET", path, None, None).await;
        assert_eq!(r.status, 422, "{path}: {}", r.raw);
        assert_eq!(
            r.header("content-type"),
            Some("application/problem+json"),
            "{path}"
        );
        let mut fields = r.field_errors();
        fields.sort();
        let want: Vec<(String, String)> = names
            .iter()
            .map(|n| (n.to_string(), "empty".to_owned()))
            .collect();
        assert_eq!(fields, want, "{path}");
    }
    // The same lists without the blank parameters answer.
    for path in [
        "/api/v1/costs/trends",
        "/api/v1/costs/cases?from=2016-01",
        "/api/v1/costs/claims",
    ] {
        let r = app.send_as(Some(&finance), "GET", path, None, None).await;
        assert_eq!(r.status, 200, "{path}: {}", r.raw);
    }
}

#[actix_rt::test]
async fn the_cases_list_is_largest_net_first_a_page_at_a_time() {
    let app = spawn_app().await;
    let finance = app.login_as(FINANCE).await;
    let mut ids = Vec::new();
    for (i, kronor) in [300, 100, 500, 200, 400].iter().enumerate() {
        let id = case_at(&app, "Jämjö skola", "property_damage").await;
        add(
            &app,
            &finance,
            &id,
            &entry(
                "egendom",
                kronor * 100,
                "actual",
                &format!("2016-0{}-10", i + 1),
            ),
        )
        .await;
        ids.push((kronor * 100, id));
    }
    ids.sort_by_key(|c| std::cmp::Reverse(c.0));
    let mut seen = Vec::new();
    let mut path = "/api/v1/costs/cases?from=2016-01&to=2016-12&limit=2".to_owned();
    loop {
        let page = app.send_as(Some(&finance), "GET", &path, None, None).await;
        assert_eq!(page.status, 200, "{}", page.raw);
        for item in page.body["items"].as_array().unwrap() {
            seen.push((
                item["net_ore"].as_i64().unwrap(),
                item["case"]["id"].as_str().unwrap().to_owned(),
            ));
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => {
                path = format!("/api/v1/costs/cases?from=2016-01&to=2016-12&limit=2&cursor={c}")
            }
            None => break,
        }
    }
    assert_eq!(seen, ids);
}

#[actix_rt::test]
async fn verify_finds_a_rollup_that_differs_and_rebuild_repairs_it() {
    let app = spawn_app().await;
    let run = |what: &str| {
        Command::new(env!("CARGO_BIN_EXE_tillbud"))
            .args(["costs", what])
            .env("TILLBUD_DATABASE_URL", &app.database_url)
            .output()
            .unwrap()
    };
    let ok = run("verify");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("every rollup agrees"));
    app.db
        .write(|c| {
            use diesel::connection::SimpleConnection;
            c.batch_execute("UPDATE cost_case_counts_group SET cases = cases + 1 WHERE grain = 'y'")?;
            c.batch_execute("UPDATE cost_rollup_unit SET cost_ore = cost_ore + 1 WHERE month = (SELECT MIN(month) FROM cost_rollup_unit)")?;
            Ok(())
        })
        .await
        .unwrap();
    let bad = run("verify");
    assert!(!bad.status.success());
    let out = String::from_utf8_lossy(&bad.stdout);
    assert!(
        out.contains("cost_rollup_unit") && out.contains("cost_case_counts_group"),
        "{out}"
    );
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("differ"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert!(run("rebuild").status.success());
    assert!(run("verify").status.success());
}

#[actix_rt::test]
async fn the_vocabulary_lists_the_configured_categories() {
    let app = crate::helpers::spawn_app_with(&[(
        "TILLBUD_COST_CATEGORIES",
        "egendom:cost:Egendom:Property; forsakring:recovery:Försäkring:Insurance",
    )])
    .await;
    let eva = app.login_as("eva.ek@example.se").await;
    let v = app
        .send_as(Some(&eva), "GET", "/api/v1/costs/categories", None, None)
        .await;
    assert_eq!(v.status, 200, "{}", v.raw);
    let codes: Vec<&str> = v.body["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["egendom", "forsakring"]);
    assert_eq!(v.body["categories"][1]["direction"], "recovery");
    assert!(v.body["claim_states"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["label"] == "Utbetald"));
    let en = app
        .request(
            "GET",
            "/api/v1/costs/categories",
            &[("Cookie", eva.as_str()), ("Accept-Language", "en")],
            Vec::new(),
        )
        .await;
    assert_eq!(en.body["categories"][0]["label"], "Property");
}

//! The finance desk's exports: CSV for Swedish Excel and XLSX read back with a real reader
//! (calamine), every number compared with the JSON answer to the same question.

#![allow(clippy::inconsistent_digit_grouping)]

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use serde_json::{json, Value};

use crate::costs::{add, entry, FINANCE};
use crate::helpers::{Reply, TestApp};

/// A case with a title chosen by the test.
async fn case_titled(app: &TestApp, unit: &str, title: &str) -> String {
    let mut body = app.valid_report().await;
    body["org_unit_id"] = json!(app.unit_id(unit).await);
    body["title"] = json!(title);
    body["kind"] = json!("property_damage");
    let r = app.post_incident(&body, None).await;
    assert_eq!(r.status, 201, "{}", r.raw);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn get(app: &TestApp, cookie: &str, path: &str) -> Reply {
    let r = app.send_as(Some(cookie), "GET", path, None, None).await;
    assert_eq!(r.status, 200, "{path}: {}", r.raw);
    r
}

/// `-12300,50` → -1230050 öre.
fn ore_of(cell: &str) -> i64 {
    let (kr, ore) = cell.split_once(',').expect("decimal comma");
    let sign = if kr.starts_with('-') { -1 } else { 1 };
    sign * (kr.trim_start_matches('-').parse::<i64>().unwrap() * 100 + ore.parse::<i64>().unwrap())
}

/// The trend's rows as the exports lay them out: per period its total, then its groups.
fn trend_rows(trend: &Value) -> Vec<(String, String, i64, i64, i64, i64, i64)> {
    let label = |key: &str| {
        trend["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["key"] == key)
            .map(|g| g["label"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let mut rows = Vec::new();
    for p in trend["points"].as_array().unwrap() {
        let row = |group: String, v: &Value| {
            (
                p["period"].as_str().unwrap().to_owned(),
                group,
                v["cost_ore"].as_i64().unwrap(),
                v["recovery_ore"].as_i64().unwrap(),
                v["net_ore"].as_i64().unwrap(),
                v["cases"].as_i64().unwrap(),
                v["previous_year"]["net_ore"].as_i64().unwrap(),
            )
        };
        rows.push(row("Totalt".into(), p));
        for g in p["groups"].as_array().unwrap() {
            rows.push(row(label(g["key"].as_str().unwrap()), g));
        }
    }
    rows
}

#[actix_rt::test]
async fn csv_and_xlsx_carry_the_same_numbers_as_the_json() {
    let app = crate::helpers::spawn_app().await;
    let finance = app.login_as(FINANCE).await;
    let admin = app.unit_id("Utbildningsförvaltningen").await;
    let formula = case_titled(&app, "Jämjö skola", "=SUMMA(A1:A9) i köket").await;
    let plus = case_titled(&app, "Trossöskolan", "+46 ringde om skadan").await;
    let quoted = case_titled(&app, "Lyckeby förskola", "Vattenskada; \"stora\" salen").await;
    for (case, body) in [
        (
            &formula,
            entry("egendom", 1_234_567_50, "actual", "2017-02-03"),
        ),
        (
            &formula,
            entry("forsakring", 1_000_000_00, "actual", "2017-03-03"),
        ),
        (&plus, entry("sjuklon", 12_300_50, "actual", "2017-02-20")),
        (&plus, entry("egendom", 4_000_00, "actual", "2016-02-20")),
        (&quoted, entry("vikarie", 99, "actual", "2017-11-30")),
    ] {
        assert_eq!(add(&app, &finance, case, &body).await.status, 201);
    }
    let question = format!("unit={admin}&period=quarter&from=2017-01&to=2017-12&group_by=category");
    let json = get(&app, &finance, &format!("/api/v1/costs/trends?{question}")).await;
    let expected = trend_rows(&json.body);
    assert!(expected.len() > 4, "{expected:?}");

    // CSV: BOM, `;`, decimal comma, the same rows.
    let csv = get(
        &app,
        &finance,
        &format!("/api/v1/costs/trends?{question}&format=csv"),
    )
    .await;
    assert_eq!(csv.content_type(), "text/csv; charset=utf-8");
    assert!(csv
        .header("content-disposition")
        .is_some_and(|d| d.contains("attachment") && d.ends_with(".csv\"")));
    assert!(csv.bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 BOM");
    let text = String::from_utf8(csv.bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "Period;Från;Till;Grupp;Kostnad (kr);Återvunnet (kr);Netto (kr);Ärenden;Netto föregående år (kr);Förändring (kr);Förändring (%)"
    );
    let got: Vec<_> = lines[1..]
        .iter()
        .map(|l| {
            let c: Vec<&str> = l.split(';').collect();
            (
                c[0].to_owned(),
                c[3].to_owned(),
                ore_of(c[4]),
                ore_of(c[5]),
                ore_of(c[6]),
                c[7].parse::<i64>().unwrap(),
                ore_of(c[8]),
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert!(text.contains(";1234567,50;"), "{text}");
    assert!(text.contains(";12300,50;"), "{text}");

    // XLSX, read by calamine: numbers are numbers, in kronor.
    let xlsx = get(
        &app,
        &finance,
        &format!("/api/v1/costs/trends?{question}&format=xlsx"),
    )
    .await;
    assert_eq!(
        xlsx.content_type(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(xlsx.bytes.clone())).expect("an XLSX");
    let sheet = book
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(rows[0][0], Data::String("Period".into()));
    assert_eq!(rows[0][6], Data::String("Netto (kr)".into()));
    let kronor = |d: &Data| match d {
        Data::Float(f) => (f * 100.0).round() as i64,
        Data::Int(i) => i * 100,
        other => panic!("not a number: {other:?}"),
    };
    let count = |d: &Data| match d {
        Data::Float(f) => *f as i64,
        Data::Int(i) => *i,
        other => panic!("not a number: {other:?}"),
    };
    let got: Vec<_> = rows[1..]
        .iter()
        .map(|r| {
            (
                r[0].to_string(),
                r[3].to_string(),
                kronor(&r[4]),
                kronor(&r[5]),
                kronor(&r[6]),
                count(&r[7]),
                kronor(&r[8]),
            )
        })
        .collect();
    assert_eq!(got, expected);
    // Header frozen, filters on, money in a kronor format.
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx.bytes.clone())).expect("a zip");
    let mut part = |name: &str| {
        let mut s = String::new();
        zip.by_name(name)
            .expect(name)
            .read_to_string(&mut s)
            .unwrap();
        s
    };
    let sheet_xml = part("xl/worksheets/sheet1.xml");
    assert!(
        sheet_xml.contains("state=\"frozen\"") && sheet_xml.contains("ySplit=\"1\""),
        "{sheet_xml}"
    );
    assert!(sheet_xml.contains("<autoFilter ref=\"A1:K"), "{sheet_xml}");
    let styles = part("xl/styles.xml");
    assert!(styles.contains("&quot;kr&quot;"), "{styles}");

    // The cases list: text that starts like a formula is neutralised in CSV; XLSX keeps text as text.
    let list = format!("/api/v1/costs/cases?unit={admin}&from=2016-01&to=2017-12");
    let json = get(&app, &finance, &list).await;
    let nets: Vec<i64> = json.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["net_ore"].as_i64().unwrap())
        .collect();
    let csv = get(&app, &finance, &format!("{list}&format=csv")).await;
    let text = String::from_utf8(csv.bytes[3..].to_vec()).unwrap();
    assert!(
        text.contains(&format!("{formula};'=SUMMA(A1:A9) i köket;")),
        "{text}"
    );
    assert!(
        text.contains(&format!("{plus};'+46 ringde om skadan;")),
        "{text}"
    );
    assert!(
        text.contains(&format!("{quoted};\"Vattenskada; \"\"stora\"\" salen\";")),
        "{text}"
    );
    let csv_nets: Vec<i64> = text
        .lines()
        .skip(1)
        .map(|l| {
            // …;cost;recovered;net;claim state
            let cells: Vec<&str> = l.rsplitn(3, ';').collect();
            ore_of(cells[1])
        })
        .collect();
    assert_eq!(csv_nets, nets);
    let xlsx = get(&app, &finance, &format!("{list}&format=xlsx")).await;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(xlsx.bytes)).expect("an XLSX");
    let sheet = book
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    let titles: Vec<String> = sheet.rows().skip(1).map(|r| r[1].to_string()).collect();
    assert!(
        titles.contains(&"=SUMMA(A1:A9) i köket".to_owned()),
        "{titles:?}"
    );
    let xlsx_nets: Vec<i64> = sheet.rows().skip(1).map(|r| kronor(&r[8])).collect();
    assert_eq!(xlsx_nets, nets);
}

#[actix_rt::test]
async fn exports_are_bounded_before_they_are_built() {
    let app = crate::helpers::spawn_app_with(&[("TILLBUD_COST_EXPORT_MAX_ROWS", "3")]).await;
    let finance = app.login_as(FINANCE).await;
    for (unit, day) in [
        ("Jämjö skola", "2016-01-05"),
        ("Trossöskolan", "2016-02-05"),
        ("Jämjö skola", "2016-03-05"),
        ("Trossöskolan", "2016-04-05"),
    ] {
        let case = case_titled(&app, unit, "Trasig dörr").await;
        assert_eq!(
            add(
                &app,
                &finance,
                &case,
                &entry("egendom", 1_000_00, "actual", day)
            )
            .await
            .status,
            201
        );
    }
    // Four cases with costs: the JSON pages through them, an export of all four is refused.
    let path = "/api/v1/costs/cases?from=2016-01&to=2016-12";
    assert_eq!(
        get(&app, &finance, path).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    let refused = app
        .send_as(
            Some(&finance),
            "GET",
            &format!("{path}&format=xlsx"),
            None,
            None,
        )
        .await;
    assert_eq!(
        refused.field_errors(),
        [("format".into(), "too_many_rows".into())],
        "{}",
        refused.raw
    );
    assert!(refused.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("högst 3"));
    let three = get(
        &app,
        &finance,
        "/api/v1/costs/cases?from=2016-01&to=2016-03&format=csv",
    )
    .await;
    assert_eq!(String::from_utf8_lossy(&three.bytes).lines().count(), 1 + 3);
    // A trend's rows are counted too: four months, each a total row.
    let trend = app
        .send_as(
            Some(&finance),
            "GET",
            "/api/v1/costs/trends?from=2016-01&to=2016-04&format=csv",
            None,
            None,
        )
        .await;
    assert_eq!(
        trend.field_errors(),
        [("format".into(), "too_many_rows".into())]
    );
    let bad = app
        .send_as(
            Some(&finance),
            "GET",
            "/api/v1/costs/trends?format=pdf",
            None,
            None,
        )
        .await;
    assert_eq!(
        bad.field_errors(),
        [("format".into(), "unknown_value".into())]
    );
    let eva = app.login_as("eva.ek@example.se").await;
    app.send_as(
        Some(&eva),
        "GET",
        "/api/v1/costs/cases?format=xlsx",
        None,
        None,
    )
    .await
    .assert_problem(403);
}

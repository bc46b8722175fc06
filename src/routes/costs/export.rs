//! Exports of exactly what the desk shows, for Excel: CSV the way Swedish Excel opens it
//! (UTF-8 with BOM, `;` between cells, decimal comma, text that starts like a formula
//! neutralised) and XLSX (numbers as numbers, in kronor with a SEK format; header frozen,
//! filters on). Bounded: a row limit checked before the file is built, and at most two
//! exports built at a time.

use actix_web::http::header;
use actix_web::HttpResponse;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use tokio::sync::Semaphore;

use crate::domain::money::Ore;
use crate::error::ApiError;
use crate::i18n::Lang;

/// A CSV export (UTF-8 with BOM, `;`, decimal comma), for the OpenAPI document.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String)]
pub struct CsvFile(pub String);

/// An XLSX workbook, for the OpenAPI document.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct XlsxFile(pub Vec<u8>);

/// Exports built at the same time, across the instance.
static BUILDING: Semaphore = Semaphore::const_new(2);

/// How the answer is wanted (`format=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Json,
    Csv,
    Xlsx,
}

pub fn format(raw: Option<&str>) -> Result<ExportFormat, &'static str> {
    match raw.map(str::trim) {
        None | Some("") | Some("json") => Ok(ExportFormat::Json),
        Some("csv") => Ok(ExportFormat::Csv),
        Some("xlsx") => Ok(ExportFormat::Xlsx),
        Some(_) => Err("unknown_value"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Money,
    Count,
    /// Basis points, shown as a percentage.
    Percent,
}

pub struct Column {
    pub header: String,
    pub kind: Kind,
    /// Width in characters (XLSX).
    pub width: f64,
}

pub fn column(header: &str, kind: Kind, width: f64) -> Column {
    Column {
        header: header.to_owned(),
        kind,
        width,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Money(Ore),
    Count(i64),
    /// Basis points; `None` leaves the cell empty.
    Percent(Option<i64>),
}

/// A sheet of an export.
pub struct Table {
    /// The sheet's name and the file's stem.
    pub name: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

/// Text a spreadsheet would read as a formula (or as a control) gets a leading `'`.
pub fn neutralise(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn csv_text(text: &str) -> String {
    let t = neutralise(text);
    if t.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", t.replace('"', "\"\""))
    } else {
        t
    }
}

/// `12,5` for 1250 basis points (a percentage with a decimal comma).
fn percent_text(bp: i64) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let abs = bp.unsigned_abs();
    format!("{sign}{},{:02}", abs / 100, abs % 100)
}

pub fn csv(table: &Table) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let header: Vec<String> = table.columns.iter().map(|c| csv_text(&c.header)).collect();
    out.push_str(&header.join(";"));
    out.push_str("\r\n");
    for row in &table.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| match cell {
                Cell::Text(t) => csv_text(t),
                Cell::Money(ore) => ore.decimal_comma(),
                Cell::Count(n) => n.to_string(),
                Cell::Percent(bp) => bp.map(percent_text).unwrap_or_default(),
            })
            .collect();
        out.push_str(&cells.join(";"));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

pub fn xlsx(table: &Table) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    // Excel allows 31 characters and no []:*?/\ in a sheet name.
    let name: String = table
        .name
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    sheet.set_name(name)?;
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00\\ \"kr\"");
    let percent = Format::new().set_num_format("0.0%");
    for (i, col) in table.columns.iter().enumerate() {
        let c = i as u16;
        sheet.write_string_with_format(0, c, &col.header, &bold)?;
        sheet.set_column_width(c, col.width)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(t) => {
                    sheet.write_string(r, c, t)?;
                }
                Cell::Money(ore) => {
                    sheet.write_number_with_format(r, c, ore.kronor_f64(), &money)?;
                }
                Cell::Count(n) => {
                    sheet.write_number(r, c, *n as f64)?;
                }
                Cell::Percent(Some(bp)) => {
                    sheet.write_number_with_format(r, c, *bp as f64 / 10_000.0, &percent)?;
                }
                Cell::Percent(None) => {}
            }
        }
    }
    let last_col = table.columns.len().saturating_sub(1) as u16;
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, table.rows.len() as u32, last_col)?;
    book.save_to_buffer()
}

/// 422 when an export would have more than `max` rows (asked before it is built).
pub fn check_rows(rows: i64, max: i64, lang: Lang) -> Result<(), ApiError> {
    if rows <= max {
        return Ok(());
    }
    let message = match lang {
        Lang::Sv => format!(
            "Exporten skulle få {rows} rader; högst {max} går. Välj ett kortare intervall eller en mindre enhet."
        ),
        Lang::En => format!(
            "The export would have {rows} rows; at most {max} are allowed. Choose a shorter range or a smaller unit."
        ),
    };
    Err(ApiError::field("format", "too_many_rows", message))
}

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Builds the file off the executor, at most two at a time (503 when both are busy), and
/// answers it as a download.
pub async fn respond(table: Table, format: ExportFormat) -> Result<HttpResponse, ApiError> {
    let _permit = BUILDING.try_acquire().map_err(|_| {
        ApiError::Unavailable("two exports are being built; try again shortly".into())
    })?;
    let stem: String = table
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let (bytes, content_type, ext) = match format {
        ExportFormat::Xlsx => {
            let bytes = actix_web::web::block(move || xlsx(&table))
                .await
                .map_err(|e| ApiError::Internal(e.into()))?
                .map_err(|e| ApiError::Internal(e.into()))?;
            (bytes, XLSX_TYPE, "xlsx")
        }
        _ => (csv(&table), "text/csv; charset=utf-8", "csv"),
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{stem}.{ext}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            name: "kostnader".into(),
            columns: vec![
                column("Grupp", Kind::Text, 20.0),
                column("Netto (kr)", Kind::Money, 14.0),
                column("Ärenden", Kind::Count, 8.0),
                column("Förändring (%)", Kind::Percent, 8.0),
            ],
            rows: vec![
                vec![
                    Cell::Text("=HYPERLINK(\"x\")".into()),
                    Cell::Money(Ore(-1_230_050)),
                    Cell::Count(3),
                    Cell::Percent(Some(-1250)),
                ],
                vec![
                    Cell::Text("Skola; \"Lyckeby\"".into()),
                    Cell::Money(Ore(123_456_700)),
                    Cell::Count(0),
                    Cell::Percent(None),
                ],
            ],
        }
    }

    #[test]
    fn csv_is_what_swedish_excel_opens() {
        let text = String::from_utf8(csv(&table())).unwrap();
        assert!(text.starts_with('\u{feff}'), "BOM");
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[0], "Grupp;Netto (kr);Ärenden;Förändring (%)");
        assert_eq!(lines[1], "\"'=HYPERLINK(\"\"x\"\")\";-12300,50;3;-12,50");
        assert_eq!(lines[2], "\"Skola; \"\"Lyckeby\"\"\";1234567,00;0;");
        for start in ["+1", "-1", "@SUM(A1)", "\tx"] {
            assert!(neutralise(start).starts_with('\''), "{start}");
        }
        assert_eq!(neutralise("Lyckeby"), "Lyckeby");
    }

    #[test]
    fn xlsx_is_a_zip_with_a_sheet() {
        let bytes = xlsx(&table()).unwrap();
        assert!(bytes.starts_with(b"PK"));
        assert!(check_rows(10, 10, Lang::Sv).is_ok());
        assert!(check_rows(11, 10, Lang::En).is_err());
    }

    #[actix_rt::test]
    async fn no_more_than_two_exports_are_built_at_once() {
        let held = BUILDING.try_acquire_many(2).expect("both permits");
        let busy = respond(table(), ExportFormat::Csv).await;
        assert!(matches!(busy, Err(ApiError::Unavailable(_))), "{busy:?}");
        drop(held);
        let ok = respond(table(), ExportFormat::Csv).await.expect("built");
        assert_eq!(ok.status(), 200);
    }
}

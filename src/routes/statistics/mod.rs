//! The yearly follow-up (`/reports/yearly`, staff) and the open statistics
//! (`/public/statistics`, no login): thin handlers, the views and CSV tables beside them.

pub mod public;
pub mod public_tables;
pub mod view;
pub mod yearly;
pub mod yearly_tables;

use crate::domain::cost_period::Month;

/// `YYYY-MM` of a month.
pub fn month_text(m: Month) -> String {
    format!("{:04}-{:02}", m.year(), m.number())
}

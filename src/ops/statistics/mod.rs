//! The yearly follow-up and the open statistics: the refresh that keeps the statistics rollup
//! and the published document up to date, and the questions asked of them.

pub mod public;
pub mod refresh;
pub mod yearly;

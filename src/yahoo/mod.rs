//! (stub) Yahoo fallback source.
pub mod chart;
